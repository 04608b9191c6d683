package axc.formats.tokenizer;

import axc.errors.UnsupportedFeatureException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a conversation into prompt text the way a model's Jinja {@code chat_template} does, for the
 * template shapes axc knows. There is no Jinja engine: the shape is recognised by substrings only its
 * template has, and the rendering is written out in Java, which is testable and cannot run arbitrary
 * template code. Tool definitions and assistant tool calls are not rendered; tool results are.
 *
 * <p>Recognised shapes:
 * <ul>
 *   <li>{@link Shape#CHATML}: Qwen2 / Qwen2.5 Instruct. {@code <|im_start|>role\ncontent<|im_end|>\n}
 *       per turn; when the conversation does not open with a system turn, the template's own default
 *       system prompt is inserted (Qwen2.5: "You are Qwen, created by Alibaba Cloud. You are a helpful
 *       assistant."; Qwen2: "You are a helpful assistant.").</li>
 *   <li>{@link Shape#QWEN3}: ChatML with no default system prompt; assistant turns after the last user
 *       query carry their reasoning in a {@code <think>} block. Templates with the
 *       {@code enable_thinking} switch (Qwen3 hybrid models) add {@code <think>\n\n</think>\n\n} after
 *       the generation prompt when thinking is disabled; templates without it (Qwen3 2507 Instruct)
 *       ignore the switch.</li>
 *   <li>{@link Shape#AX4}: SK Telecom A.X 4.0: {@code <|im_start|><|role|>content<|im_end|>} with no
 *       newlines, tool results as {@code <|im_start|><|extra_id_13|><tool_output>...</tool_output><|im_end|>},
 *       generation prompt {@code <|im_start|><|assistant|>}.</li>
 * </ul>
 */
public final class ChatTemplate {
    public enum Shape { CHATML, QWEN3, AX4 }

    /** The default system turn of Qwen-style templates: {@code '<|im_start|>system\nTEXT<|im_end|>\n'}. */
    private static final Pattern DEFAULT_SYSTEM =
            Pattern.compile("'<\\|im_start\\|>system\\\\n([^'\\\\{}<]+)<\\|im_end\\|>\\\\n'");

    private final Shape shape;
    private final String defaultSystem;
    private final boolean thinkingSwitch;

    private ChatTemplate(Shape shape, String defaultSystem, boolean thinkingSwitch) {
        this.shape = shape;
        this.defaultSystem = defaultSystem;
        this.thinkingSwitch = thinkingSwitch;
    }

    /** The template of a loaded tokenizer; refused when it has none or one of an unknown shape. */
    public static ChatTemplate of(Tokenizer tokenizer) {
        return recognise(tokenizer.chatTemplate().orElseThrow(() -> new UnsupportedFeatureException(
                "the tokenizer has no chat_template, so chat prompts cannot be formatted; give the prompt raw")));
    }

    /** Recognises a Jinja template's shape; {@link UnsupportedFeatureException} if it is none axc knows. */
    public static ChatTemplate recognise(String jinja) {
        if (jinja.contains("<|im_start|><|user|>") && jinja.contains("<|im_start|><|assistant|>")) {
            return new ChatTemplate(Shape.AX4, null, false);
        }
        if (jinja.contains("<|im_start|>") && jinja.contains("<|im_end|>")) {
            if (jinja.contains("<think>") && jinja.contains("reasoning_content")) {
                return new ChatTemplate(Shape.QWEN3, null, jinja.contains("enable_thinking"));
            }
            if (jinja.contains("message.role") || jinja.contains("message['role']")) {
                Matcher m = DEFAULT_SYSTEM.matcher(jinja);
                return new ChatTemplate(Shape.CHATML, m.find() ? m.group(1) : null, false);
            }
        }
        throw new UnsupportedFeatureException("chat template not recognised (known: ChatML as in Qwen2/Qwen2.5, Qwen3, "
                + "A.X 4.0); give the prompt raw, already formatted");
    }

    public Shape shape() {
        return shape;
    }

    /** The system prompt used when a conversation has none; null for templates without one. */
    public String defaultSystemPrompt() {
        return defaultSystem;
    }

    /** As {@code apply_chat_template(messages, add_generation_prompt=...)} with thinking left on. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, true);
    }

    /** {@code enableThinking=false} is {@code enable_thinking=False}: only Qwen3 hybrid templates use it. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, boolean enableThinking) {
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat needs at least one message");
        for (ChatMessage m : messages) {
            if (!List.of("system", "user", "assistant", "tool").contains(m.role())) {
                throw new IllegalArgumentException("unknown chat role '" + m.role() + "' (system, user, assistant, tool)");
            }
        }
        StringBuilder out = new StringBuilder();
        switch (shape) {
            case CHATML -> chatMl(messages, out);
            case QWEN3 -> qwen3(messages, out);
            case AX4 -> ax4(messages, addGenerationPrompt, out);
        }
        if (addGenerationPrompt) {
            if (shape == Shape.AX4) {
                out.append("<|im_start|><|assistant|>");
            } else {
                out.append("<|im_start|>assistant\n");
                if (shape == Shape.QWEN3 && thinkingSwitch && !enableThinking) out.append("<think>\n\n</think>\n\n");
            }
        }
        return out.toString();
    }

    private void chatMl(List<ChatMessage> messages, StringBuilder out) {
        boolean firstIsSystem = messages.getFirst().role().equals("system");
        if (firstIsSystem) turn(out, "system", messages.getFirst().content());
        else if (defaultSystem != null) turn(out, "system", defaultSystem);
        for (int i = firstIsSystem ? 1 : 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("tool")) toolResult(messages, i, out);
            else turn(out, m.role(), m.content());
        }
    }

    private static void qwen3(List<ChatMessage> messages, StringBuilder out) {
        boolean firstIsSystem = messages.getFirst().role().equals("system");
        if (firstIsSystem) turn(out, "system", messages.getFirst().content());
        // The last user turn that is a real query rather than tool output wrapped as a user turn.
        int lastQuery = messages.size() - 1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("user") && !(m.content().startsWith("<tool_response>") && m.content().endsWith("</tool_response>"))) {
                lastQuery = i;
                break;
            }
        }
        for (int i = firstIsSystem ? 1 : 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            switch (m.role()) {
                case "tool" -> toolResult(messages, i, out);
                case "assistant" -> {
                    String content = m.content();
                    String reasoning = "";
                    int close = content.indexOf("</think>");
                    if (close >= 0) {
                        String before = stripTrailingNewlines(content.substring(0, close));
                        int open = before.lastIndexOf("<think>");
                        reasoning = stripLeadingNewlines(open >= 0 ? before.substring(open + "<think>".length()) : before);
                        content = stripLeadingNewlines(content.substring(content.lastIndexOf("</think>") + "</think>".length()));
                    }
                    out.append("<|im_start|>assistant\n");
                    if (i > lastQuery && (i == messages.size() - 1 || !reasoning.isEmpty())) {
                        out.append("<think>\n").append(stripLeadingNewlines(stripTrailingNewlines(reasoning))).append("\n</think>\n\n")
                                .append(stripLeadingNewlines(content));
                    } else {
                        out.append(content);
                    }
                    out.append("<|im_end|>\n");
                }
                default -> turn(out, m.role(), m.content());
            }
        }
    }

    private static void ax4(List<ChatMessage> messages, boolean addGenerationPrompt, StringBuilder out) {
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case "system" -> out.append("<|im_start|><|system|>").append(m.content()).append("<|im_end|>");
                case "user" -> out.append("<|im_start|><|user|>").append(m.content()).append("<|im_end|>");
                case "assistant" -> {
                    String content = m.content();
                    // Only when a generation prompt follows does the template drop earlier reasoning.
                    if (addGenerationPrompt && content.contains("</think>")) {
                        content = stripLeadingNewlines(content.substring(content.lastIndexOf("</think>") + "</think>".length()));
                    }
                    out.append("<|im_start|><|assistant|>").append(content).append("<|im_end|>");
                }
                case "tool" -> out.append("<|im_start|><|extra_id_13|><tool_output>").append(m.content()).append("</tool_output><|im_end|>");
                default -> throw new IllegalStateException(m.role());
            }
        }
    }

    private static void turn(StringBuilder out, String role, String content) {
        out.append("<|im_start|>").append(role).append('\n').append(content).append("<|im_end|>\n");
    }

    /** Consecutive tool results share one user turn, each wrapped in {@code <tool_response>}. */
    private static void toolResult(List<ChatMessage> messages, int i, StringBuilder out) {
        if (i == 0 || !messages.get(i - 1).role().equals("tool")) out.append("<|im_start|>user");
        out.append("\n<tool_response>\n").append(messages.get(i).content()).append("\n</tool_response>");
        if (i == messages.size() - 1 || !messages.get(i + 1).role().equals("tool")) out.append("<|im_end|>\n");
    }

    private static String stripLeadingNewlines(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\n') i++;
        return s.substring(i);
    }

    private static String stripTrailingNewlines(String s) {
        int e = s.length();
        while (e > 0 && s.charAt(e - 1) == '\n') e--;
        return s.substring(0, e);
    }
}
