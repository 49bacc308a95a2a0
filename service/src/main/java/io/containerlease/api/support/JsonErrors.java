package io.containerlease.api.support;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * What was wrong with a JSON body, in plain words: the parser's own messages name its classes,
 * settings and features ("not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`"),
 * which say nothing to a client and too much about the server.
 */
public final class JsonErrors {
    private JsonErrors() {}

    /** The end of a sentence that begins "the body …". */
    public static String plain(JacksonException e, int maxStringChars) {
        String raw = String.valueOf(e.getOriginalMessage());
        if (e instanceof StreamConstraintsException) {
            if (raw.contains("nesting depth")) {
                return "nests arrays and objects deeper than " + Json.MAX_DEPTH + " levels";
            }
            if (raw.contains("Number value length")) {
                return "holds a number longer than 64 characters";
            }
            if (raw.contains("String value length")) {
                return "holds a string longer than " + maxStringChars + " characters";
            }
            return "is beyond a limit on JSON";
        }
        if (raw.startsWith("Duplicate field")) {
            String field = raw.replaceAll("(?s)^Duplicate field '(.*)'.*$", "$1");
            return "names the field '" + printable(field) + "' twice";
        }
        if (raw.startsWith("Trailing token")) {
            return "holds more after its JSON value; send one JSON object";
        }
        if (raw.contains("end-of-input")) {
            return "ends before its JSON value does";
        }
        JsonLocation where = e.getLocation();
        return where == null || where.getLineNr() < 1
                ? "is not valid JSON"
                : "is not valid JSON (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }

    private static String printable(String raw) {
        String clean = raw.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
    }
}
