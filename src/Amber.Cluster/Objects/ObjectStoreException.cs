namespace Amber.Cluster.Objects;

/// <summary>The object store refused or could not be reached; the message names the store, the object and the cause.</summary>
public sealed class ObjectStoreException : IOException
{
    public ObjectStoreException(string message)
        : base(message)
    {
    }

    public ObjectStoreException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
