using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Reading;

namespace Amber.Revive;

/// <summary>An instance to revive, replay or compare: its conversation and its root-to-leaf path.</summary>
public sealed record RevivalTarget(ConversationRecord Conversation, string ConversationId, string LeafId, IReadOnlyList<(string Id, Node Node)> Path, IReadOnlyDictionary<string, ModelReference> Models)
{
    /// <summary>Resolves an instance (leaf or any node on a path: the path ends there) or a conversation (its newest instance).</summary>
    public static RevivalTarget Resolve(Archive archive, string idOrPrefix)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var resolved = archive.Resolve(idOrPrefix);
        if (resolved.Kind == ResolvedKind.None)
        {
            throw new ArgumentException($"{idOrPrefix}: {resolved.Problem}.");
        }

        var conversationId = resolved.Kind == ResolvedKind.Conversation ? resolved.Id : archive.ConversationsOf(resolved.Id).FirstOrDefault()
            ?? throw new ArgumentException($"{idOrPrefix}: the node belongs to no conversation.");
        var view = archive.GetConversation(conversationId) ?? throw new ArgumentException($"{idOrPrefix}: conversation {conversationId} is not stored.");
        var leaf = resolved.Kind == ResolvedKind.Node ? resolved.Id : view.Instances.OrderByDescending(i => i.Created, StringComparer.Ordinal).Select(i => i.Id).FirstOrDefault()
            ?? throw new ArgumentException($"{idOrPrefix}: the conversation has no instance.");
        return new RevivalTarget(view.Record, conversationId, leaf, view.Tree.PathTo(leaf), view.Models);
    }

    /// <summary>The model reference of the last generated turn on the path (the instance's own model), if known.</summary>
    public ModelReference? OriginalModel => Path.Select(p => p.Node.Generation?.Model).OfType<string>().LastOrDefault() is { } id && Models.TryGetValue(id, out var m) ? m : null;

    /// <summary>When the instance was last active (the newest created time on the path), if known.</summary>
    public string? LastActive => Path.Select(p => p.Node.Created).OfType<string>().Order(StringComparer.Ordinal).LastOrDefault();
}
