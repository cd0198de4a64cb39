namespace Amber.Core.Crypto;

/// <summary>Bytes or text that should hold a key record (a wrapped key, a seal, a key file, a trustees file) do not: the message names the source and what is wrong.</summary>
public sealed class KeyRecordException : Exception
{
    public KeyRecordException(string message)
        : base(message)
    {
    }

    public KeyRecordException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
