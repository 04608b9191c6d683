package axc.ir.pb;

import axc.ir.Graph;
import axc.ir.testing.RandomGraphs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GraphCodecProperties {
    @Provide
    Arbitrary<Graph> graphs() {
        return RandomGraphs.graphs();
    }

    @Property(tries = 300)
    void protoRoundTripIsIdentity(@ForAll("graphs") Graph g) {
        byte[] bytes = GraphCodec.toBytes(g);
        Graph back = GraphCodec.fromBytes(bytes);
        assertEquals(g, back);
        assertArrayEquals(bytes, GraphCodec.toBytes(back), "serialization is deterministic");
        assertEquals(g, GraphCodec.fromProto(GraphCodec.toProto(g)));
    }
}
