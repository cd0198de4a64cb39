namespace Amber.Storage.Format;

/// <summary>The outcome of checking one frame's bytes.</summary>
internal enum FrameCheck
{
    Ok,

    /// <summary>The leading length is out of range.</summary>
    BadLength,

    /// <summary>The file ends before the frame does.</summary>
    Truncated,

    /// <summary>The trailing length differs from the leading one.</summary>
    TrailerMismatch,

    ChecksumMismatch,

    /// <summary>The checksum holds but the kind, codec or flags are unknown to this reader.</summary>
    UnknownKind,
}
