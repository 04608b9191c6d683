package axc.cli;

import axc.errors.CompileFailedException;
import axc.errors.InvalidInputException;
import axc.errors.TargetUnavailableException;
import axc.errors.UnsupportedFeatureException;
import axc.errors.ValidationFailedException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitCodesTest {
    @Test
    void everyErrorKindHasItsDocumentedCode() {
        assertEquals(3, ExitCodes.of(new InvalidInputException("f: bad")));
        assertEquals(4, ExitCodes.of(new UnsupportedFeatureException("x")));
        assertEquals(5, ExitCodes.of(new CompileFailedException("x")));
        assertEquals(6, ExitCodes.of(new TargetUnavailableException("x")));
        assertEquals(7, ExitCodes.of(new ValidationFailedException("x")));
        assertEquals(1, ExitCodes.of(new IllegalStateException("bug")));
        assertEquals(1, ExitCodes.of(new UncheckedIOException(new IOException("disk"))));
    }

    @Test
    void messagesAreOneLine() {
        assertEquals("f: bad", ExitCodes.message(new InvalidInputException("f: bad\nsecond line")));
        assertTrue(ExitCodes.message(new NullPointerException()).startsWith("internal error: NullPointerException"));
    }
}
