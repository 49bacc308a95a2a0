package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private final Redactor redactor = new Redactor();

    @Test
    void aSecretOfExactlyTheMinimumLengthIsMaskedAndAShorterOneIsNot() {
        String six = "a".repeat(Redactor.MIN_SECRET_LENGTH);
        String five = "b".repeat(Redactor.MIN_SECRET_LENGTH - 1);
        redactor.register(List.of(six, five));
        assertThat(redactor.scrub("x " + six + " y " + five)).isEqualTo("x " + Redactor.MASK + " y " + five);
    }

    @Test
    void aSecretTwoLeasesShareStaysMaskedUntilBothAreDone() {
        String shared = "shared-secret-value";
        redactor.register(List.of(shared));
        redactor.register(List.of(shared));
        redactor.forget(List.of(shared));
        assertThat(redactor.scrub("echo " + shared))
                .as("the other lease still has it")
                .isEqualTo("echo " + Redactor.MASK);
        redactor.forget(List.of(shared));
        assertThat(redactor.scrub("echo " + shared)).isEqualTo("echo " + shared);
    }

    @Test
    void aSecretInsideAnotherIsMaskedWhole() {
        redactor.register(List.of("secret", "my-secret-token"));
        assertThat(redactor.scrub("token=my-secret-token")).isEqualTo("token=" + Redactor.MASK);
        assertThat(redactor.scrub(null)).isNull();
    }
}
