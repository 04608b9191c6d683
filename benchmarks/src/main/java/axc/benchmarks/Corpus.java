package axc.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A multilingual text for tokenizer benchmarks, the same on every run: English prose (three license
 * texts, see corpus/PROVENANCE.md) interleaved with generated Java and Python code, Korean and Chinese
 * prose, and chat lines with emoji (skin tones, ZWJ sequences, flags). The generated parts draw from
 * small word lists with a Zipf-like skew plus a share of made-up rare words, so a tokenizer's piece
 * cache sees both hits and misses, as with real text.
 */
public final class Corpus {
    private static final long SEED = 0x5EED_70C5L;
    private static final String[] LICENSES = {"Apache-2.0.txt", "GPL-3.txt", "MPL-2.0.txt"};

    private static final String[] KO_NOUNS = {
        "모델", "토크나이저", "데이터", "사람", "학교", "서울", "회사", "컴퓨터", "언어", "문장", "시간", "오늘",
        "내일", "정부", "경제", "문화", "음식", "날씨", "연구", "결과", "방법", "문제", "질문", "대답", "프로그램",
        "개발자", "사용자", "파일", "메모리", "성능", "속도", "시스템", "학생", "선생님", "도서관", "기술", "사회",
        "가족", "친구", "여행", "바다", "하늘", "이야기", "영화", "음악", "책", "세계", "한국어", "인공지능", "서버"};
    private static final String[] KO_PREDICATES = {
        "했다", "합니다", "있습니다", "없다", "보았다", "만들었다", "사용한다", "빠르다", "중요하다", "필요합니다",
        "됩니다", "좋아요", "알려 주세요", "시작했습니다", "끝났다", "바뀌었습니다", "발표했다", "늘어났다"};
    private static final String[] KO_ADVERBS = {"매우", "정말", "아주", "다시", "함께", "이미", "아직", "조금", "가장", "특히"};

    private static final String[] ZH_WORDS = {
        "我们", "模型", "数据", "研究", "语言", "计算机", "今天", "中国", "北京", "经济", "文化", "发展", "技术",
        "问题", "方法", "结果", "时间", "学生", "老师", "公司", "使用", "需要", "可以", "进行", "提高", "分析",
        "系统", "性能", "非常", "重要", "的", "了", "是", "在", "和", "有", "这个", "一个", "没有", "通过",
        "人工智能", "社会", "历史", "世界", "已经", "开始", "认为", "表示", "应该", "工作"};
    private static final String[] CODE_PARTS = {
        "get", "set", "read", "write", "token", "buffer", "index", "count", "value", "size", "offset", "length",
        "name", "file", "path", "model", "layer", "weight", "scale", "block", "tensor", "shape", "row", "col",
        "cache", "max", "min", "sum", "out", "input", "config", "vocab", "merge", "rank", "piece", "text"};
    private static final String[] EN_WORDS = {
        "the", "value", "is", "not", "a", "valid", "check", "this", "before", "use", "returns", "number", "of",
        "bytes", "when", "empty", "each", "row", "keep", "order", "see", "above", "todo", "fix", "later"};
    private static final String[] EMOJI = {
        "😀", "😂", "👍", "👍🏽", "🙏🏻", "🎉", "🚀", "🔥", "❤️", "✨", "🤔", "😅", "👩‍💻", "👨‍👩‍👧‍👦", "🧑🏾‍🍳",
        "🇰🇷", "🇨🇳", "🏳️‍🌈", "☕", "🍜", "💯", "✅"};
    private static final String[] CHAT_EN = {
        "Thanks, that works!", "Can you check the logs again?", "Shipping it today", "lol same", "Great job everyone",
        "Meeting moved to 3pm", "Did the build pass?", "I'll review it after lunch"};
    private static final String[] CHAT_KO = {"감사합니다!", "좋아요", "확인했습니다", "내일 봐요", "대박", "수고하셨습니다"};

    private Corpus() {
    }

    /** The benchmark text (about 350 KB of UTF-8). */
    public static String text() {
        SplittableRandom r = new SplittableRandom(SEED);
        List<String> english = new ArrayList<>();
        for (String name : LICENSES) {
            for (String p : resource(name).split("\n\\s*\n")) if (!p.isBlank()) english.add(p.strip());
        }
        StringBuilder out = new StringBuilder(400_000);
        for (String paragraph : english) {
            out.append(paragraph).append("\n\n");
            for (int k = r.nextInt(3, 6); k > 0; k--) {
                double x = r.nextDouble();
                if (x < 0.30) code(r, out);
                else if (x < 0.60) korean(r, out);
                else if (x < 0.85) chinese(r, out);
                else chat(r, out);
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = Corpus.class.getResourceAsStream("corpus/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource corpus/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An index skewed towards the start of the list, roughly as word frequencies are. */
    private static int zipf(SplittableRandom r, int n) {
        return (int) Math.min(n - 1, Math.floor(n * Math.pow(r.nextDouble(), 1.6)));
    }

    private static String pick(SplittableRandom r, String[] words) {
        return words[zipf(r, words.length)];
    }

    private static String syllables(SplittableRandom r, int min, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(min, max + 1); i > 0; i--) b.append((char) r.nextInt(0xAC00, 0xD7A4));
        return b.toString();
    }

    private static void korean(SplittableRandom r, StringBuilder out) {
        for (int s = r.nextInt(4, 12); s > 0; s--) {
            if (r.nextDouble() < 0.3) out.append(pick(r, KO_ADVERBS)).append(' ');
            for (int w = r.nextInt(1, 4); w > 0; w--) {
                String noun = r.nextDouble() < 0.05 ? syllables(r, 2, 3) : pick(r, KO_NOUNS);
                if (r.nextDouble() < 0.08) out.append(r.nextInt(1, 2100)).append(r.nextBoolean() ? "년 " : "개의 ");
                out.append(noun).append(particle(noun, r)).append(' ');
            }
            out.append(pick(r, KO_PREDICATES)).append(r.nextDouble() < 0.15 ? "? " : ". ");
        }
        out.append("\n\n");
    }

    /** A case particle that agrees with the noun's last syllable (final consonant or not). */
    private static String particle(String noun, SplittableRandom r) {
        char last = noun.charAt(noun.length() - 1);
        boolean batchim = last >= 0xAC00 && last <= 0xD7A3 && (last - 0xAC00) % 28 != 0;
        return switch (r.nextInt(7)) {
            case 0 -> batchim ? "은" : "는";
            case 1 -> batchim ? "이" : "가";
            case 2 -> batchim ? "을" : "를";
            case 3 -> "의";
            case 4 -> "에서";
            case 5 -> batchim ? "과" : "와";
            default -> "도";
        };
    }

    private static void chinese(SplittableRandom r, StringBuilder out) {
        for (int s = r.nextInt(3, 9); s > 0; s--) {
            for (int w = r.nextInt(6, 16); w > 0; w--) {
                if (r.nextDouble() < 0.05) out.append((char) r.nextInt(0x4E00, 0x9FA6));
                else out.append(pick(r, ZH_WORDS));
                if (r.nextDouble() < 0.04) out.append(r.nextInt(1, 3000)).append('年');
                if (w > 1 && r.nextDouble() < 0.12) out.append('，');
            }
            out.append(r.nextDouble() < 0.1 ? "？" : "。");
        }
        out.append("\n\n");
    }

    private static void chat(SplittableRandom r, StringBuilder out) {
        for (int l = r.nextInt(2, 6); l > 0; l--) {
            out.append(r.nextBoolean() ? "[user] " : "[bot] ");
            out.append(r.nextBoolean() ? pick(r, CHAT_EN) : pick(r, CHAT_KO));
            for (int e = r.nextInt(0, 4); e > 0; e--) out.append(r.nextDouble() < 0.3 ? " " : "").append(pick(r, EMOJI));
            out.append('\n');
        }
        out.append('\n');
    }

    private static String ident(SplittableRandom r, boolean camel) {
        StringBuilder b = new StringBuilder(pick(r, CODE_PARTS));
        for (int i = r.nextInt(0, 3); i > 0; i--) {
            String part = pick(r, CODE_PARTS);
            if (camel) b.append(Character.toUpperCase(part.charAt(0))).append(part, 1, part.length());
            else b.append('_').append(part);
        }
        return b.toString();
    }

    private static String comment(SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(3, 9); i > 0; i--) b.append(b.isEmpty() ? "" : " ").append(pick(r, EN_WORDS));
        return b.toString();
    }

    private static void code(SplittableRandom r, StringBuilder out) {
        if (r.nextBoolean()) java(r, out);
        else python(r, out);
        out.append('\n');
    }

    private static void java(SplittableRandom r, StringBuilder out) {
        out.append("```java\n");
        String name = ident(r, true);
        String a = ident(r, true), b = ident(r, true);
        out.append("    /** ").append(comment(r)).append(". */\n");
        out.append("    static int ").append(name).append("(int[] ").append(a).append(", int ").append(b).append(") {\n");
        out.append("        int ").append(name).append("Sum = 0;\n");
        out.append("        for (int i = 0; i < ").append(a).append(".length; i++) {\n");
        for (int s = r.nextInt(1, 5); s > 0; s--) {
            switch (r.nextInt(4)) {
                case 0 -> out.append("            if (").append(a).append("[i] > ").append(r.nextInt(0, 65536))
                        .append(") ").append(name).append("Sum += ").append(a).append("[i] * ").append(b).append(";\n");
                case 1 -> out.append("            // ").append(comment(r)).append('\n');
                case 2 -> out.append("            ").append(name).append("Sum ^= (").append(a).append("[i] << ")
                        .append(r.nextInt(1, 31)).append(") & 0x").append(Integer.toHexString(r.nextInt())).append(";\n");
                default -> out.append("            log(\"").append(comment(r)).append(": \" + ").append(ident(r, true)).append(");\n");
            }
        }
        out.append("        }\n        return ").append(name).append("Sum;\n    }\n```\n");
    }

    private static void python(SplittableRandom r, StringBuilder out) {
        out.append("```python\n");
        String name = ident(r, false);
        String a = ident(r, false);
        out.append("def ").append(name).append('(').append(a).append(", ").append(ident(r, false)).append("=None):\n");
        out.append("    \"\"\"").append(comment(r)).append(".\"\"\"\n");
        out.append("    result = []\n");
        out.append("    for i, item in enumerate(").append(a).append("):\n");
        for (int s = r.nextInt(1, 5); s > 0; s--) {
            switch (r.nextInt(4)) {
                case 0 -> out.append("        if item is None or i % ").append(r.nextInt(2, 100)).append(" == 0:\n            continue\n");
                case 1 -> out.append("        # ").append(comment(r)).append('\n');
                case 2 -> out.append("        result.append({'").append(ident(r, false)).append("': item, 'n': ")
                        .append(r.nextInt(0, 100000)).append(", 'x': ").append(r.nextInt(0, 1000) / 100.0).append("})\n");
                default -> out.append("        print(f\"{i:>4}: {item!r} ").append(comment(r)).append("\")\n");
            }
        }
        out.append("    return result\n```\n");
    }
}
