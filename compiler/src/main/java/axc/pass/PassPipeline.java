package axc.pass;

import axc.ir.Graph;
import axc.ir.IrVerificationException;
import axc.ir.Verifier;
import axc.ir.text.AxirPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Runs passes in order. The input graph is verified first; after every pass the {@link Verifier}
 * runs, and a graph it rejects fails the pipeline with a {@link PassFailedException} naming that
 * pass. With a dump directory, writes {@code 00-Input.axir} and then {@code NN-PassName.axir} after
 * pass NN (counted from 1).
 */
public final class PassPipeline {
    private final List<Pass> passes;

    public PassPipeline(List<? extends Pass> passes) {
        this.passes = List.copyOf(passes);
    }

    public List<Pass> passes() {
        return passes;
    }

    /** The pass names, in order (what the bundle manifest records). */
    public List<String> names() {
        return passes.stream().map(Pass::name).toList();
    }

    public Graph run(Graph g, PassContext ctx) {
        try {
            Verifier.verify(g);
        } catch (IrVerificationException e) {
            throw new PassFailedException("(input)", "the input graph is invalid: " + e.getMessage(), e);
        }
        dump(ctx, 0, "Input", g);
        for (int i = 0; i < passes.size(); i++) {
            Pass p = passes.get(i);
            ctx.enter(p.name());
            Graph out;
            try {
                out = p.run(g, ctx);
            } catch (RuntimeException e) {
                throw new PassFailedException(p.name(), "failed on graph " + g.name() + ": " + e.getMessage(), e);
            }
            try {
                Verifier.verify(out);
            } catch (IrVerificationException e) {
                dump(ctx, i + 1, p.name() + "-invalid", out);
                throw new PassFailedException(p.name(), "left an invalid graph: " + e.getMessage(), e);
            }
            dump(ctx, i + 1, p.name(), out);
            g = out;
        }
        ctx.enter("-");
        return g;
    }

    private static void dump(PassContext ctx, int index, String name, Graph g) {
        if (ctx.dumpDir().isEmpty()) return;
        Path dir = ctx.dumpDir().get();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(String.format(Locale.ROOT, "%02d-%s.axir", index, name)), AxirPrinter.print(g), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write IR dump to " + dir + ": " + e.getMessage(), e);
        }
    }
}
