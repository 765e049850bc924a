/// Keeps a result observable, so the optimizer cannot drop the work that produced it.
public enum Sink {
    @_optimize(none)
    public static func consume(_ value: Int) {}
}
