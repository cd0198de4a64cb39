namespace Amber.Storage.Keys;

/// <summary>A key provider cannot give or change a tenant key: the message names the provider, the tenant and what to do.</summary>
public sealed class KeyProviderException : Exception
{
    public KeyProviderException(string message)
        : base(message)
    {
    }

    public KeyProviderException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
