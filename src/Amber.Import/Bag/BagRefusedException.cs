namespace Amber.Import.Bag;

/// <summary>A bag that is not imported, and why: <see cref="Exception.Message"/> names the file (relative to the bag) and the fault.</summary>
public sealed class BagRefusedException : Exception
{
    public BagRefusedException(string file, string what)
        : base($"{file}: {what}")
    {
        File = file;
    }

    public BagRefusedException()
    {
        File = "";
    }

    public BagRefusedException(string message)
        : base(message)
    {
        File = "";
    }

    public BagRefusedException(string message, Exception inner)
        : base(message, inner)
    {
        File = "";
    }

    /// <summary>The bag-relative path of the file at fault.</summary>
    public string File { get; }
}
