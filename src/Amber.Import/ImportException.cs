namespace Amber.Import;

/// <summary>Input that cannot be imported. The message names the file and the record or byte position.</summary>
public sealed class ImportException : Exception
{
    public ImportException(string message)
        : base(message)
    {
    }

    public ImportException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ImportException()
    {
    }

    public static ImportException At(ImportInput input, string where, string what, Exception? inner = null)
    {
        var message = $"{input.Name}: {where}: {what}";
        return inner is null ? new ImportException(message) : new ImportException(message, inner);
    }
}
