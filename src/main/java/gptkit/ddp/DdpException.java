package gptkit.ddp;

/** A rank could not communicate with the others: the run stops with this message. */
public final class DdpException extends IllegalStateException {
    public DdpException(String message) {
        super(message);
    }
}
