package org.graft.dsl;

/** Near misses of a name the program does not bind, for messages: {@code ; did you mean h?}. */
final class Suggestions {
    private Suggestions() {}

    /**
     * {@code ; did you mean h?} for a near miss, else nothing. A near miss differs in case
     * alone, or by at most 2 edits and at most one per two characters, so that a short name
     * such as {@code z} is not taken for a misspelt {@code x}.
     */
    static String didYouMean(String name, Iterable<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = k.equalsIgnoreCase(name) ? 0 : distance(name, k);
            if (d < bestDistance && 2 * d <= name.length() && !k.equals(name)) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean " + best + "?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
