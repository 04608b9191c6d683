package axc.ir.text;

import axc.ir.Graph;
import axc.ir.Verifier;
import axc.ir.testing.RandomGraphs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AxirTextProperties {
    @Provide
    Arbitrary<Graph> graphs() {
        return RandomGraphs.graphs();
    }

    @Property(tries = 300)
    void randomGraphsAreValid(@ForAll("graphs") Graph g) {
        Verifier.verify(g);
    }

    @Property(tries = 300)
    void printThenParseIsIdentity(@ForAll("graphs") Graph g) {
        String text = AxirPrinter.print(g);
        Graph back = AxirParser.parse(text);
        assertEquals(g, back, text);
        assertEquals(text, AxirPrinter.print(back));
    }

    @Property(tries = 200)
    void aGraphHasNoDifferenceFromItsRenumberedSelf(@ForAll("graphs") Graph g) {
        assertTrue(GraphDiff.diff(g, g.renumbered()).isEmpty());
        assertTrue(GraphDiff.diff(g, AxirParser.parse(AxirPrinter.print(g))).isEmpty());
    }
}
