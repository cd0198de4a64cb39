namespace Amber.Proxy;

/// <summary>When the gateway releases the end of a captured response.</summary>
public enum AckMode
{
    /// <summary>Only once the exchange is committed to the archive (fsynced). The default.</summary>
    Durable,

    /// <summary>Once the raw exchange is fsynced to the spool; the archive commit follows in the background.</summary>
    Async,
}
