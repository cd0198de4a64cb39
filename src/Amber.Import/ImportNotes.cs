namespace Amber.Import;

/// <summary>The <see cref="ImportedConversation.Notes"/> phrases more than one format may give.</summary>
public static class ImportNotes
{
    /// <summary>The source names no id for the conversation: its id is the SHA-256 of the object's canonical JSON.</summary>
    public const string IdDerivedFromContent = "id derived from the content (the source object has no id)";
}
