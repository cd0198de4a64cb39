namespace Amber.Storage.Reading;

public enum ResolvedKind
{
    None,
    Conversation,
    Node,
}
