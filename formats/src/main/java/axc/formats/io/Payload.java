package axc.formats.io;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** Produces exactly one tensor's bytes into a channel; writers stream payloads one at a time. */
@FunctionalInterface
public interface Payload {
    void writeTo(WritableByteChannel out) throws IOException;
}
