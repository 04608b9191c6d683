package axc.target.cuda;

import axc.errors.CompileFailedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nvcc, when installed: compiles an artifact's CUDA C into one fatbin with SASS for every
 * architecture in {@link #ARCHS} plus PTX of the newest (which the driver compiles for newer GPUs),
 * with ptxas's resource report. Found through {@code AXC_NVCC}, then {@code CUDA_HOME} /
 * {@code CUDA_PATH}, then {@code /usr/local/cuda}, then the PATH.
 */
final class Nvcc {
    /** Ampere (A100, A10/RTX 30), Ada (L4, RTX 40) and Hopper (H100/H200). */
    static final List<Integer> ARCHS = List.of(80, 86, 89, 90);
    private static final long TIMEOUT_MINUTES = 10;

    private final Path exe;

    private Nvcc(Path exe) {
        this.exe = exe;
    }

    static Optional<Nvcc> find() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("AXC_NVCC");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        for (String home : new String[]{System.getenv("CUDA_HOME"), System.getenv("CUDA_PATH"), "/usr/local/cuda"}) {
            if (home != null && !home.isBlank()) candidates.add(Path.of(home, "bin", "nvcc"));
        }
        String path = System.getenv("PATH");
        if (path != null) for (String dir : path.split(java.io.File.pathSeparator)) if (!dir.isBlank()) candidates.add(Path.of(dir, "nvcc"));
        return candidates.stream().filter(Files::isExecutable).findFirst().map(Nvcc::new);
    }

    Path path() {
        return exe;
    }

    /** The fatbin and ptxas's report of compiling {@code source}; a compile error is a {@link CompileFailedException} with nvcc's first error line. */
    Result compile(String source) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("axc-nvcc");
            // A fixed name, so nothing path-dependent reaches the binary: the same source gives the same bytes.
            Path cu = dir.resolve("kernels.cu");
            Files.writeString(cu, source, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-fatbin", "-std=c++17", "-O3", "-Xptxas", "-v", "-o", "kernels.fatbin"));
            for (int a : ARCHS) cmd.addAll(List.of("-gencode", "arch=compute_" + a + ",code=sm_" + a));
            int newest = ARCHS.getLast();
            cmd.addAll(List.of("-gencode", "arch=compute_" + newest + ",code=compute_" + newest, "kernels.cu"));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new CompileFailedException("nvcc did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
            String log = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String first = log.lines().filter(l -> l.contains("error")).findFirst().orElse(log.lines().findFirst().orElse("no output"));
                throw new CompileFailedException("nvcc failed (exit " + p.exitValue() + "): " + first.strip());
            }
            return new Result(Files.readAllBytes(dir.resolve("kernels.fatbin")), PtxasReport.parse(log));
        } catch (IOException e) {
            throw new CompileFailedException("could not run nvcc (" + exe + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompileFailedException("interrupted while nvcc ran");
        } finally {
            axc.formats.io.AtomicOutput.deleteQuietly(dir);
        }
    }

    record Result(byte[] fatbin, PtxasReport report) {
    }

    /** ptxas's per-kernel, per-architecture resource lines: registers, stack, spills. */
    record PtxasReport(List<Entry> entries) {
        record Entry(String function, int arch, int registers, int stackBytes, int spillStores, int spillLoads) {
            boolean spills() {
                return spillStores > 0 || spillLoads > 0;
            }
        }

        private static final Pattern COMPILING = Pattern.compile("Compiling entry function '([^']+)' for 'sm_(\\d+)'");
        private static final Pattern FRAME = Pattern.compile("(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
        private static final Pattern REGS = Pattern.compile("Used (\\d+) registers");

        static PtxasReport parse(String log) {
            List<Entry> out = new ArrayList<>();
            String fn = null;
            int arch = 0, stack = 0, stores = 0, loads = 0;
            for (String line : log.lines().toList()) {
                Matcher c = COMPILING.matcher(line);
                if (c.find()) {
                    fn = c.group(1);
                    arch = Integer.parseInt(c.group(2));
                    stack = stores = loads = 0;
                    continue;
                }
                Matcher f = FRAME.matcher(line);
                if (f.find() && fn != null) {
                    stack = Integer.parseInt(f.group(1));
                    stores = Integer.parseInt(f.group(2));
                    loads = Integer.parseInt(f.group(3));
                    continue;
                }
                Matcher r = REGS.matcher(line);
                if (r.find() && fn != null) {
                    out.add(new Entry(fn, arch, Integer.parseInt(r.group(1)), stack, stores, loads));
                    fn = null;
                }
            }
            return new PtxasReport(List.copyOf(out));
        }

        private static final Pattern TEXT = Pattern.compile("(\\S+) sm_(\\d+) registers=(\\d+) stack=(\\d+) spill_stores=(\\d+) spill_loads=(\\d+)");

        /** Reads back what {@link #text()} wrote. */
        static PtxasReport parseText(String text) {
            List<Entry> out = new ArrayList<>();
            for (String line : text.lines().toList()) {
                Matcher m = TEXT.matcher(line.strip());
                if (!m.matches()) throw new IllegalArgumentException("not a ptxas report line: " + line);
                out.add(new Entry(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
                        Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6))));
            }
            return new PtxasReport(List.copyOf(out));
        }

        /** One line per kernel and architecture, sorted: what the artifact keeps as {@code code/ptxas.txt}. */
        String text() {
            StringBuilder s = new StringBuilder();
            entries.stream().sorted(java.util.Comparator.comparing(Entry::function).thenComparingInt(Entry::arch)).forEach(e ->
                    s.append(String.format(java.util.Locale.ROOT, "%s sm_%d registers=%d stack=%d spill_stores=%d spill_loads=%d%n",
                            e.function(), e.arch(), e.registers(), e.stackBytes(), e.spillStores(), e.spillLoads())));
            return s.toString();
        }
    }
}
