package axc.formats.tokenizer;

import axc.errors.UnsupportedFeatureException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static axc.formats.tokenizer.ChatMessage.assistant;
import static axc.formats.tokenizer.ChatMessage.system;
import static axc.formats.tokenizer.ChatMessage.tool;
import static axc.formats.tokenizer.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Expected strings are what each model's Jinja template renders, worked through by hand. */
class ChatTemplateTest {
    private static ChatTemplate template(String configDir) {
        return ChatTemplate.recognise(TokenizerFixtures.json(configDir + "/tokenizer_config.json").get("chat_template").asText());
    }

    private static final String QWEN25_DEFAULT =
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n";

    @Test
    void qwen25DefaultSystemPrompt() {
        ChatTemplate t = template("qwen2");
        assertEquals(ChatTemplate.Shape.CHATML, t.shape());
        assertEquals(QWEN25_DEFAULT + "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(user("Hello")), true));
        assertEquals(QWEN25_DEFAULT + "<|im_start|>user\nHello<|im_end|>\n", t.render(List.of(user("Hello")), false));
    }

    @Test
    void qwen25OwnSystemPromptAndHistory() {
        ChatTemplate t = template("qwen2");
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n안녕?<|im_end|>\n"
                        + "<|im_start|>assistant\n안녕하세요!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
                        + "<|im_start|>system\nAnswer in digits.<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(system("Be brief."), user("안녕?"), assistant("안녕하세요!"), user("2+2?"),
                        system("Answer in digits.")), true));
    }

    @Test
    void toolResultsShareOneUserTurn() {
        ChatTemplate t = template("qwen2");
        assertEquals(QWEN25_DEFAULT + "<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\nChecking.<|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>\nsun\n</tool_response>\n<tool_response>\n20C\n</tool_response><|im_end|>\n"
                        + "<|im_start|>assistant\n",
                t.render(List.of(user("Weather?"), assistant("Checking."), tool("sun"), tool("20C")), true));
    }

    @Test
    void tinyModelReferencePrompt() {
        // axc-tiny-py's fourth reference prompt is this conversation rendered by its (Qwen2.5) template.
        Tokenizer tok = Tokenizer.load(TokenizerFixtures.path("axc-tiny-py"));
        JsonNode ref = TokenizerFixtures.json("axc-tiny-py/reference-input-ids.json").get("prompts").get(3);
        String prompt = ChatTemplate.of(tok).render(List.of(system("You are a helpful assistant."),
                user("Write a Python function that adds two numbers.")), true);
        assertEquals(ref.get("prompt").asText(), prompt);
        assertArrayEquals(TokenizerFixtures.ints(ref.get("input_ids")), tok.encode(prompt));
    }

    @Test
    void qwen3ThinkingSwitch() {
        ChatTemplate t = template("Qwen3-1.7B");
        assertEquals(ChatTemplate.Shape.QWEN3, t.shape());
        assertNull(t.defaultSystemPrompt());
        List<ChatMessage> chat = List.of(system("S"), user("U"));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n",
                t.render(chat, true));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                t.render(chat, true, false));
        assertEquals("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n", t.render(List.of(user("U")), true));
    }

    @Test
    void qwen3InstructHasNoThinkingSwitch() {
        ChatTemplate t = template("Qwen3-4B");
        assertEquals(ChatTemplate.Shape.QWEN3, t.shape());
        assertEquals("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n", t.render(List.of(user("U")), true, false));
    }

    @Test
    void qwen3DropsReasoningOfEarlierTurns() {
        ChatTemplate t = template("Qwen3-1.7B");
        List<ChatMessage> chat = List.of(user("q1"), assistant("<think>\nr1\n</think>\n\na1"), user("q2"));
        assertEquals("<|im_start|>user\nq1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n"
                + "<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\n", t.render(chat, true));
        // The final assistant turn after the last query keeps a think block, empty if it had none.
        assertEquals("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\na<|im_end|>\n",
                t.render(List.of(user("q"), assistant("a")), false));
        assertEquals("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\nr\n</think>\n\na<|im_end|>\n",
                t.render(List.of(user("q"), assistant("<think>\n\nr\n\n</think>\n\n\na")), false));
    }

    @Test
    void ax4() {
        ChatTemplate t = template("skt-A.X-4.0-Light");
        assertEquals(ChatTemplate.Shape.AX4, t.shape());
        assertEquals("<|im_start|><|system|>당신은 친절한 비서입니다.<|im_end|><|im_start|><|user|>안녕하세요<|im_end|><|im_start|><|assistant|>",
                t.render(List.of(system("당신은 친절한 비서입니다."), user("안녕하세요")), true));
        assertEquals("<|im_start|><|user|>a<|im_end|><|im_start|><|assistant|>b<|im_end|>"
                        + "<|im_start|><|extra_id_13|><tool_output>t</tool_output><|im_end|><|im_start|><|assistant|>",
                t.render(List.of(user("a"), assistant("<think>x</think>\nb"), tool("t")), true));
    }

    @Test
    void unknownTemplatesAreRefused() {
        assertThrows(UnsupportedFeatureException.class, () -> ChatTemplate.recognise(
                "{% for message in messages %}[INST] {{ message['content'] }} [/INST]{% endfor %}"));
        assertThrows(IllegalArgumentException.class, () -> template("qwen2").render(List.of(new ChatMessage("developer", "x")), true));
    }

    @Test
    void qwen2OriginalTemplate() {
        // Qwen2-Instruct's template, which puts its default system turn inside the message loop.
        String jinja = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
                + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
        ChatTemplate t = ChatTemplate.recognise(jinja);
        assertEquals("You are a helpful assistant.", t.defaultSystemPrompt());
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(user("hi")), true));
    }
}
