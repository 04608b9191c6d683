package axc.formats.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in raw text, leftmost match first and the longest one at that position, which is
 * how Hugging Face's added vocabulary splits text before normalizing it.
 */
final class AddedTokenMatcher {
    private final Map<Character, AddedToken[]> byFirstChar = new HashMap<>();
    private final boolean[] firstAscii = new boolean[128];

    AddedTokenMatcher(Collection<AddedToken> tokens) {
        Map<Character, List<AddedToken>> groups = new HashMap<>();
        for (AddedToken t : tokens) {
            if (t.content().isEmpty()) continue;
            groups.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
        }
        groups.forEach((c, list) -> {
            AddedToken[] arr = list.toArray(AddedToken[]::new);
            Arrays.sort(arr, Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
            byFirstChar.put(c, arr);
            if (c < 128) firstAscii[c] = true;
        });
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /** The first added token at or after {@code from}; its start is {@code text.indexOf(content, from)}. */
    Match find(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 128 && !firstAscii[c]) continue;
            AddedToken[] candidates = byFirstChar.get(c);
            if (candidates == null) continue;
            for (AddedToken t : candidates) {
                if (text.startsWith(t.content(), i)) return new Match(i, t);
            }
        }
        return null;
    }

    record Match(int start, AddedToken token) {
        int end() {
            return start + token.content().length();
        }
    }
}
