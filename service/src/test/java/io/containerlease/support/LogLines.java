package io.containerlease.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What one class logs while a test runs, from INFO up, for the promises made in logs (a failure
 * reported once per cause, a quiet pass that says nothing). Close it to stop listening.
 */
public final class LogLines implements AutoCloseable {
    private final Logger logger;
    private final Level levelBefore;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    private LogLines(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
        this.levelBefore = logger.getLevel();
        lines.start();
        logger.addAppender(lines);
        logger.setLevel(Level.INFO);
    }

    public static LogLines of(Class<?> source) {
        return new LogLines(source);
    }

    /** Each line's message with its arguments filled in, in order. */
    public List<String> messages() {
        return List.copyOf(lines.list).stream()
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** Each line's message as written in the code, placeholders and all. */
    public List<String> templates() {
        return List.copyOf(lines.list).stream().map(ILoggingEvent::getMessage).toList();
    }

    /** The lines whose message contains {@code text}. */
    public List<String> containing(String text) {
        return messages().stream().filter(m -> m.contains(text)).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
        logger.setLevel(levelBefore);
    }
}
