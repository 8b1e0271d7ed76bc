package io.llmrelay.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem in a config so one start-up reports them all, each with its JSON path. */
final class Problems {
    private final List<String> list = new ArrayList<>();

    void add(String path, String problem) {
        list.add(path + ": " + problem);
    }

    int count() {
        return list.size();
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    List<String> list() {
        return List.copyOf(list);
    }

    static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }
}
