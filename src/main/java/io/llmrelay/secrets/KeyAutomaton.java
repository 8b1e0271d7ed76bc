package io.llmrelay.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * An Aho-Corasick automaton over UTF-16 chars for a set of keys: fed one char at a time, it says
 * after each char the length of the longest key that ends there. Every char is read once and the
 * failure links make the work per char amortised constant (at most two transitions on average),
 * so a scan is linear in its input whatever the keys and the text look like: no backtracking,
 * no key-by-key search.
 *
 * <p>Immutable and thread-safe. State 0 is the root (nothing of any key matched). Each state
 * also knows how many UTF-8 bytes its path and its longest key take written plainly, which is
 * what lets {@link ByteScan} map a match back to bytes without remembering where each char was.
 */
final class KeyAutomaton {
    private static final int ASCII = 128;
    /** State 0's transitions for ASCII chars, the common case, looked up directly; -1 = none. */
    private final int[] rootAscii = new int[ASCII];
    /** ASCII bytes that neither start a key nor start an escape: skipped at the root without a transition. */
    private final boolean[] quietAtRoot = new boolean[ASCII];
    /** Per state, its children: chars in {@code childChars[childStart[s] .. childStart[s + 1])}, sorted. */
    private final int[] childStart;
    private final char[] childChars;
    private final int[] childStates;
    private final int[] fail;
    /** Per state, the longest key that ends there (its own, or one reached through failure links); 0 = none. */
    private final int[] matchLength;
    /** Per state, that key's length in UTF-8 bytes. */
    private final int[] matchBytes;
    /** Per state, the UTF-8 length of the chars that lead to it from the root. */
    private final int[] pathBytes;
    private final int maxKeyLength;
    /** No key has a lone surrogate: a key's plain UTF-8 form is well defined. */
    private final boolean wellFormed;

    private KeyAutomaton(Trie trie, boolean wellFormed) {
        int states = trie.children.size();
        this.maxKeyLength = trie.maxKeyLength;
        this.wellFormed = wellFormed;
        childStart = new int[states + 1];
        int edges = 0;
        for (int s = 0; s < states; s++) {
            childStart[s] = edges;
            edges += trie.children.get(s).size();
        }
        childStart[states] = edges;
        childChars = new char[edges];
        childStates = new int[edges];
        for (int s = 0, e = 0; s < states; s++) {
            for (var edge : trie.children.get(s).entrySet()) {
                childChars[e] = edge.getKey();
                childStates[e++] = edge.getValue();
            }
        }
        Arrays.fill(rootAscii, -1);
        for (int e = childStart[0]; e < childStart[1]; e++) {
            if (childChars[e] < ASCII) {
                rootAscii[childChars[e]] = childStates[e];
            }
        }
        for (int c = 0; c < ASCII; c++) {
            quietAtRoot[c] = rootAscii[c] < 0 && c != '\\';
        }
        fail = new int[states];
        matchLength = trie.keyLength.stream().mapToInt(Integer::intValue).toArray();
        matchBytes = trie.keyBytes.stream().mapToInt(Integer::intValue).toArray();
        pathBytes = trie.pathBytes.stream().mapToInt(Integer::intValue).toArray();
        linkFailures();
    }

    /** The automaton for {@code keys}; empty keys are ignored. */
    static KeyAutomaton of(Collection<String> keys) {
        Trie trie = new Trie();
        boolean wellFormed = true;
        for (String key : keys) {
            trie.add(key);
            wellFormed &= key.equals(new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
        return new KeyAutomaton(trie, wellFormed);
    }

    /** Breadth first, so that a state's failure target (always shallower) is complete before it. */
    private void linkFailures() {
        Deque<Integer> queue = new ArrayDeque<>();
        for (int e = childStart[0]; e < childStart[1]; e++) {
            queue.add(childStates[e]); // fail = 0
        }
        while (!queue.isEmpty()) {
            int state = queue.poll();
            if (matchLength[state] == 0) {
                // Not a key's end itself: its longest key is its failure target's (a key's own end is always longer).
                matchLength[state] = matchLength[fail[state]];
                matchBytes[state] = matchBytes[fail[state]];
            }
            for (int e = childStart[state]; e < childStart[state + 1]; e++) {
                int child = childStates[e];
                fail[child] = next(fail[state], childChars[e]);
                queue.add(child);
            }
        }
    }

    /** The length of the longest key; 0 when there is none. */
    int maxKeyLength() {
        return maxKeyLength;
    }

    boolean isEmpty() {
        return maxKeyLength == 0;
    }

    /** Whether every key is well-formed UTF-16, so that its UTF-8 lengths ({@link #matchBytes}) mean something. */
    boolean wellFormed() {
        return wellFormed;
    }

    /** Whether ASCII byte {@code b} can be skipped in the root state (reading it there leads back to the root). */
    boolean quietAtRoot(int b) {
        return quietAtRoot[b];
    }

    /** The state after reading {@code c} in {@code state}. */
    int next(int state, char c) {
        while (true) {
            int target = child(state, c);
            if (target >= 0) {
                return target;
            }
            if (state == 0) {
                return 0;
            }
            state = fail[state];
        }
    }

    /** The length of the longest key that ends in {@code state}, 0 for none. */
    int matchLength(int state) {
        return matchLength[state];
    }

    /** That key's length in UTF-8 bytes, 0 for none. */
    int matchBytes(int state) {
        return matchBytes[state];
    }

    /** The UTF-8 length of the chars that lead from the root to {@code state}. */
    int pathBytes(int state) {
        return pathBytes[state];
    }

    private int child(int state, char c) {
        if (state == 0) {
            if (c < ASCII) {
                return rootAscii[c];
            }
            // The root may have a child per key: binary search (its chars are sorted).
            int at = Arrays.binarySearch(childChars, childStart[0], childStart[1], c);
            return at >= 0 ? childStates[at] : -1;
        }
        for (int e = childStart[state], end = childStart[state + 1]; e < end; e++) {
            if (childChars[e] == c) {
                return childStates[e];
            }
        }
        return -1;
    }

    /** The keys as a tree of chars, with what each node needs to know. */
    private static final class Trie {
        final List<TreeMap<Character, Integer>> children = new ArrayList<>(List.of(new TreeMap<>()));
        final List<Integer> keyLength = new ArrayList<>(List.of(0));
        final List<Integer> keyBytes = new ArrayList<>(List.of(0));
        final List<Integer> pathBytes = new ArrayList<>(List.of(0));
        int maxKeyLength;

        void add(String key) {
            if (key.isEmpty()) {
                return;
            }
            int state = 0;
            for (int i = 0; i < key.length(); i++) {
                Integer next = children.get(state).get(key.charAt(i));
                if (next == null) {
                    next = children.size();
                    children.get(state).put(key.charAt(i), next);
                    children.add(new TreeMap<>());
                    keyLength.add(0);
                    keyBytes.add(0);
                    pathBytes.add(utf8Length(key.substring(0, i + 1)));
                }
                state = next;
            }
            keyLength.set(state, key.length());
            keyBytes.set(state, utf8Length(key));
            maxKeyLength = Math.max(maxKeyLength, key.length());
        }

        private static int utf8Length(String text) {
            return text.getBytes(StandardCharsets.UTF_8).length;
        }
    }
}
