namespace Amber.Core.Crypto;

/// <summary>
/// A well-formed key record cannot be opened: the key is the wrong one, the record was altered or bound to another
/// conversation or tenant, or a seal was given too few or wrong shares. The message says which.
/// </summary>
public sealed class KeyAccessException : Exception
{
    public KeyAccessException(string message)
        : base(message)
    {
    }

    public KeyAccessException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
