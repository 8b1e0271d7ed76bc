package io.llmrelay.secrets;

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
 * <p>Immutable and thread-safe. State 0 is the root (nothing of any key matched).
 */
final class KeyAutomaton {
    private static final int ASCII = 128;
    /** State 0's transitions for ASCII chars, the common case, looked up directly; -1 = none. */
    private final int[] rootAscii = new int[ASCII];
    /** Per state, its children: chars in {@code childChars[childStart[s] .. childStart[s + 1])}, sorted. */
    private final int[] childStart;
    private final char[] childChars;
    private final int[] childStates;
    private final int[] fail;
    /** Per state, the longest key that ends there (its own, or one reached through failure links); 0 = none. */
    private final int[] matchLength;
    private final int maxKeyLength;

    private KeyAutomaton(List<TreeMap<Character, Integer>> trie, int[] keyLength, int maxKeyLength) {
        int states = trie.size();
        this.maxKeyLength = maxKeyLength;
        childStart = new int[states + 1];
        int edges = 0;
        for (int s = 0; s < states; s++) {
            childStart[s] = edges;
            edges += trie.get(s).size();
        }
        childStart[states] = edges;
        childChars = new char[edges];
        childStates = new int[edges];
        for (int s = 0, e = 0; s < states; s++) {
            for (var edge : trie.get(s).entrySet()) {
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
        fail = new int[states];
        matchLength = keyLength;
        linkFailures();
    }

    /** The automaton for {@code keys}; empty keys are ignored. */
    static KeyAutomaton of(Collection<String> keys) {
        List<TreeMap<Character, Integer>> trie = new ArrayList<>();
        trie.add(new TreeMap<>());
        List<Integer> ends = new ArrayList<>();
        ends.add(0);
        int max = 0;
        for (String key : keys) {
            int state = 0;
            for (int i = 0; i < key.length(); i++) {
                Integer next = trie.get(state).get(key.charAt(i));
                if (next == null) {
                    next = trie.size();
                    trie.get(state).put(key.charAt(i), next);
                    trie.add(new TreeMap<>());
                    ends.add(0);
                }
                state = next;
            }
            if (!key.isEmpty()) {
                ends.set(state, key.length());
                max = Math.max(max, key.length());
            }
        }
        int[] keyLength = ends.stream().mapToInt(Integer::intValue).toArray();
        return new KeyAutomaton(trie, keyLength, max);
    }

    /** Breadth first, so that a state's failure target (always shallower) is complete before it. */
    private void linkFailures() {
        Deque<Integer> queue = new ArrayDeque<>();
        for (int e = childStart[0]; e < childStart[1]; e++) {
            queue.add(childStates[e]); // fail = 0
        }
        while (!queue.isEmpty()) {
            int state = queue.poll();
            matchLength[state] = Math.max(matchLength[state], matchLength[fail[state]]);
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
}
