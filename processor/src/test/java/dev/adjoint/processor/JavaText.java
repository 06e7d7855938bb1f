package dev.adjoint.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small lexical helpers for asserting on generated Java source text. */
final class JavaText {
    private JavaText() {
    }

    /**
     * The source with comments (line, block, Javadoc) removed and the contents of string and char
     * literals blanked ({@code "..."} becomes {@code ""}), keeping line breaks. What is left is code.
     */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated comment");
                }
                for (int k = i; k < end + 2; k++) {
                    if (source.charAt(k) == '\n') {
                        out.append('\n');
                    }
                }
                i = end + 2;
            } else if (c == '"' && source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated text block");
                }
                out.append("\"\"");
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int k = i + 1;
                while (k < n && source.charAt(k) != c) {
                    if (source.charAt(k) == '\\') {
                        k++;
                    }
                    k++;
                }
                out.append(c).append(c);
                i = k + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * The bodies (text between the matching braces, exclusive) of every method whose declaration
     * matches {@code declarationRegex} in {@code code} (which must already be {@link #codeOnly}).
     */
    static List<String> methodBodies(String code, String declarationRegex) {
        List<String> bodies = new ArrayList<>();
        Matcher m = Pattern.compile(declarationRegex).matcher(code);
        while (m.find()) {
            int open = code.indexOf('{', m.end());
            int semicolon = code.indexOf(';', m.end());
            if (open < 0 || (semicolon >= 0 && semicolon < open)) {
                continue; // abstract or interface declaration: no body
            }
            int depth = 0;
            int k = open;
            for (; k < code.length(); k++) {
                char c = code.charAt(k);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                    if (depth == 0) {
                        break;
                    }
                }
            }
            if (depth != 0) {
                throw new IllegalArgumentException("unbalanced braces after " + m.group());
            }
            bodies.add(code.substring(open + 1, k));
        }
        return bodies;
    }

    /** The class Javadoc: the last {@code /** ... *}{@code /} before the type declaration named {@code simpleName}. */
    static String classJavadoc(String source, String simpleName) {
        Matcher decl = Pattern.compile("\\bclass\\s+" + Pattern.quote(simpleName) + "\\b").matcher(source);
        if (!decl.find()) {
            throw new IllegalArgumentException("no class " + simpleName);
        }
        int start = source.lastIndexOf("/**", decl.start());
        if (start < 0) {
            return "";
        }
        int end = source.indexOf("*/", start);
        return end < 0 || end > decl.start() ? "" : source.substring(start, end + 2);
    }
}
