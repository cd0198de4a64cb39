namespace Amber.Proxy.Secrets;

/// <summary>A captured request whose body the gateway refuses before forwarding: the message says what is wrong and where.</summary>
public sealed class InvalidRequestBodyException : Exception
{
    public InvalidRequestBodyException()
    {
    }

    public InvalidRequestBodyException(string message)
        : base(message)
    {
    }

    public InvalidRequestBodyException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
