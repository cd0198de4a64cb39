namespace Amber.Proxy;

/// <summary>When the gateway releases the end of a captured response.</summary>
public enum AckMode
{
    /// <summary>Only once the exchange is committed to the archive (fsynced). The default.</summary>
    Durable,

    /// <summary>
    /// Once the exchange is durable: committed to the archive while this process holds its writer and nothing waits in
    /// the spool (then as <see cref="Durable"/>), else once the raw exchange is fsynced to the spool, the archive commit
    /// following in the background (another process holds the writer, or a commit failed).
    /// </summary>
    Async,
}
