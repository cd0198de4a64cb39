namespace Amber.Core.Json;

/// <summary>Input that cannot be expressed as RFC 8785 canonical JSON.</summary>
public sealed class CanonicalJsonException : Exception
{
    public CanonicalJsonException(string message)
        : base(message)
    {
    }

    public CanonicalJsonException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CanonicalJsonException()
    {
    }
}
