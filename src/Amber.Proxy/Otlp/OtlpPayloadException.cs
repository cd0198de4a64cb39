namespace Amber.Proxy.Otlp;

/// <summary>An export request that cannot be read; the message names what is wrong and where. Answered 400, nothing recorded.</summary>
public sealed class OtlpPayloadException : Exception
{
    public OtlpPayloadException()
    {
    }

    public OtlpPayloadException(string message)
        : base(message)
    {
    }

    public OtlpPayloadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
