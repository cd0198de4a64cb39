namespace Amber.Viewer.Security;

/// <summary>What a token may do. Names are the public contract (<c>amber token create --scope</c>).</summary>
public enum TokenScope
{
    /// <summary>The viewer, the JSON API, blobs and receipts, of the token's tenant only.</summary>
    Read,

    /// <summary><c>/v1</c> (the gateway) and OTLP ingest, recorded into the token's tenant.</summary>
    Capture,

    /// <summary>Everything, every tenant.</summary>
    Admin,
}
