package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.convert.GgufHfTokenizer;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.tokenizer.ChatMessage;
import axc.formats.tokenizer.ChatTemplate;
import axc.formats.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

@Command(name = "tokenize", description = "Show the token ids and pieces a model's tokenizer gives a text.")
public final class TokenizeCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A Hugging Face folder (tokenizer.json, or vocab.json + merges.txt) or a .gguf file.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "The text to tokenize.")
        String text;

        @Option(names = "--file", paramLabel = "F", description = "Tokenize the contents of F (UTF-8), exactly as stored.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    Mode mode;

    static final class Mode {
        @Option(names = "--chat", description = "Wrap the text as a user message with the model's chat template, generation prompt included.")
        boolean chat;

        @Option(names = "--raw", description = "Tokenize the text as it is (the default); added-token spellings such as <|im_start|> still count as those tokens.")
        boolean raw;
    }

    /** The {@code --json} result. {@code text} is what was tokenized (after chat formatting); {@code pieces} are vocabulary spellings. */
    public record Result(String model, String text, boolean chat, int count, int[] ids, List<String> pieces) {
    }

    @Override
    protected int execute(Ui ui) {
        String text = input.text != null ? input.text : readText(input.file);
        Tokenizer tok = load(model);
        boolean chat = mode != null && mode.chat;
        if (chat) text = chatPrompt(tok, text);
        int[] ids = tok.encode(text);
        if (ui.json()) {
            List<String> pieces = Arrays.stream(ids).mapToObj(tok::piece).toList();
            ui.printJson(new Result(model.toString(), text, chat, ids.length, ids, pieces));
            return ok();
        }
        PrintWriter o = ui.out();
        int idWidth = Math.max(2, Arrays.stream(ids).map(i -> Integer.toString(i).length()).max().orElse(1));
        int indexWidth = Math.max(5, Integer.toString(ids.length).length());
        o.printf("%" + indexWidth + "s  %" + idWidth + "s  %s%n", "index", "id", "piece");
        for (int i = 0; i < ids.length; i++) {
            o.printf("%" + indexWidth + "d  %" + idWidth + "d  %s%n", i, ids[i], visible(tok.tokenBytes(ids[i])));
        }
        o.printf("%d token%s%n", ids.length, ids.length == 1 ? "" : "s");
        o.flush();
        return ok();
    }

    static String chatPrompt(Tokenizer tok, String text) {
        ChatTemplate template;
        try {
            template = ChatTemplate.of(tok);
        } catch (UnsupportedFeatureException e) {
            throw new UnsupportedFeatureException("--chat: " + e.getMessage() + " (--raw sends the text unformatted)");
        }
        return template.render(List.of(ChatMessage.user(text)), true);
    }

    static String readText(Path file) {
        if (!Files.isRegularFile(file)) throw InvalidInputException.of(file, Files.exists(file) ? "not a regular file" : "no such file");
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw InvalidInputException.of(file, "not valid UTF-8 text");
        } catch (NoSuchFileException e) {
            throw InvalidInputException.of(file, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tokenizer of a Hugging Face folder, or the one embedded in a GGUF file. */
    static Tokenizer load(Path model) {
        if (Files.isDirectory(model)) return Tokenizer.load(model);
        if (!Files.exists(model)) throw InvalidInputException.of(model, "no such file or directory");
        if (!GgufFile.looksLike(model)) throw InvalidInputException.of(model, "neither a model folder nor a .gguf file");
        try (GgufFile g = GgufFile.open(model)) {
            String kind = g.meta("tokenizer.ggml.model").map(GgufValue::asString).orElse(null);
            if (kind == null || g.meta("tokenizer.ggml.tokens").isEmpty()) {
                throw InvalidInputException.of(model, "the GGUF file carries no tokenizer (no tokenizer.ggml.* metadata)");
            }
            if (!kind.equals("gpt2")) throw new UnsupportedFeatureException(model + ": GGUF tokenizer '" + kind + "' (only byte-level BPE, 'gpt2')");
            Path tmp = Files.createTempDirectory("axc-tokenizer");
            try {
                GgufHfTokenizer.write(g, tmp);
                return Tokenizer.load(tmp);
            } finally {
                try (Stream<Path> s = Files.walk(tmp)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A token's bytes as a quoted, readable string: UTF-8 text as itself, with {@code \n}, {@code \t},
     * {@code \r}, {@code \\}, {@code \"} and other control characters escaped, and bytes that do not form
     * a complete UTF-8 character (a token may end inside one) as {@code \xNN}.
     */
    static String visible(byte[] b) {
        StringBuilder s = new StringBuilder(b.length + 2).append('"');
        int i = 0;
        while (i < b.length) {
            int n = utf8Length(b, i);
            if (n == 0) {
                s.append(String.format("\\x%02X", b[i] & 0xFF));
                i++;
                continue;
            }
            int cp = new String(b, i, n, StandardCharsets.UTF_8).codePointAt(0);
            switch (cp) {
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\r' -> s.append("\\r");
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                default -> {
                    if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) s.append(String.format("\\u%04X", cp));
                    else s.appendCodePoint(cp);
                }
            }
            i += n;
        }
        return s.append('"').toString();
    }

    /** The length of the well-formed UTF-8 character at {@code i}, or 0 if none starts there. */
    static int utf8Length(byte[] b, int i) {
        int lead = b[i] & 0xFF;
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (lead < 0x80) return 1;
        else if (lead >= 0xC2 && lead <= 0xDF) n = 2;
        else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 3;
            if (lead == 0xE0) lo = 0xA0;
            if (lead == 0xED) hi = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 4;
            if (lead == 0xF0) lo = 0x90;
            if (lead == 0xF4) hi = 0x8F;
        } else return 0;
        if (i + n > b.length) return 0;
        for (int k = 1; k < n; k++) {
            int c = b[i + k] & 0xFF;
            if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
        }
        return n;
    }
}
