package io.containerlease.cli.client;

import java.io.PrintWriter;
import java.util.List;

/** Rows as plain columns, two spaces apart, each as wide as its widest cell; the first row is the header. */
public final class TextColumns {
    private TextColumns() {}

    public static void print(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
