namespace Amber.Storage;

/// <summary>The archive's bytes do not match what was written. The message names the file, offset and fault.</summary>
public sealed class CorruptArchiveException : Exception
{
    public CorruptArchiveException(string message)
        : base(message)
    {
    }

    public CorruptArchiveException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CorruptArchiveException()
    {
    }
}
