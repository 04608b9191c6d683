package axc.ir.pb;

import axc.errors.InvalidInputException;
import axc.ir.Attrs;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.text.AxirPrinter;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link Graph} to and from its protobuf form ({@code axir.proto}); bytes are deterministic. */
public final class GraphCodec {
    private GraphCodec() {
    }

    public static GraphProto toProto(Graph g) {
        GraphProto.Builder b = GraphProto.newBuilder().setVersion(AxirPrinter.VERSION).setName(g.name());
        for (Node n : g.nodes()) {
            NodeProto.Builder nb = NodeProto.newBuilder().setId(n.id()).setOp(n.op().spelling()).setType(type(n.type()));
            for (int i : n.inputs()) nb.addInputs(i);
            for (var e : n.attrs().asMap().entrySet()) {
                AttrProto.Builder a = AttrProto.newBuilder().setName(e.getKey());
                switch (e.getValue()) {
                    case Long l -> a.setI(l);
                    case Double d -> a.setF(d);
                    case String s -> a.setS(s);
                    case Boolean x -> a.setB(x);
                    default -> throw new IllegalArgumentException("attribute " + e);
                }
                nb.addAttrs(a);
            }
            b.addNodes(nb);
        }
        for (int o : g.outputs()) b.addOutputs(o);
        return b.build();
    }

    /** Deterministic serialization (same graph, same bytes). */
    public static byte[] toBytes(Graph g) {
        GraphProto p = toProto(g);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(p.getSerializedSize());
            CodedOutputStream c = CodedOutputStream.newInstance(out);
            c.useDeterministicSerialization();
            p.writeTo(c);
            c.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Graph fromBytes(byte[] bytes) {
        try {
            return fromProto(GraphProto.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException("graph.pb: " + e.getMessage(), e);
        }
    }

    public static Graph fromProto(GraphProto p) {
        if (p.getVersion() != AxirPrinter.VERSION) {
            throw new InvalidInputException("graph.pb: IR version " + p.getVersion() + " is not supported (this reader knows " + AxirPrinter.VERSION + ")");
        }
        List<Node> nodes = new ArrayList<>();
        for (NodeProto n : p.getNodesList()) {
            Op op;
            try {
                op = Op.parse(n.getOp());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("graph.pb: node %" + n.getId() + ": " + e.getMessage());
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (AttrProto a : n.getAttrsList()) {
                Object v = switch (a.getValueCase()) {
                    case I -> a.getI();
                    case F -> a.getF();
                    case S -> a.getS();
                    case B -> a.getB();
                    case VALUE_NOT_SET -> throw new InvalidInputException("graph.pb: node %" + n.getId() + ": attribute " + a.getName() + " has no value");
                };
                attrs.put(a.getName(), v);
            }
            nodes.add(new Node(n.getId(), op, n.getInputsList(), Attrs.of(attrs), type(n.getType(), n.getId())));
        }
        return new Graph(p.getName(), nodes, p.getOutputsList());
    }

    private static TensorTypeProto type(TensorType t) {
        TensorTypeProto.Builder b = TensorTypeProto.newBuilder().setDtype(t.dtype().spelling());
        for (Dim d : t.shape()) {
            b.addDims(switch (d) {
                case Dim.Fixed f -> DimProto.newBuilder().setSize(f.size());
                case Dim.Sym s -> DimProto.newBuilder().setSymbol(s.symbol());
            });
        }
        return b.build();
    }

    private static TensorType type(TensorTypeProto t, int node) {
        try {
            List<Dim> dims = new ArrayList<>();
            for (DimProto d : t.getDimsList()) {
                dims.add(switch (d.getDimCase()) {
                    case SIZE -> Dim.of(d.getSize());
                    case SYMBOL -> Dim.sym(d.getSymbol());
                    case DIM_NOT_SET -> throw new IllegalArgumentException("a dimension has neither size nor symbol");
                });
            }
            return new TensorType(DataType.parse(t.getDtype()), dims);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("graph.pb: node %" + node + ": " + e.getMessage());
        }
    }
}
