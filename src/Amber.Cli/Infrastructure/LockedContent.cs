using Amber.Storage;
using Amber.Storage.Keys;
using Amber.Storage.Reading;

namespace Amber.Cli.Infrastructure;

/// <summary>
/// The check the commands that read content (revive, replay, thaw, compare, export) make before they start: a sealed
/// or shredded conversation is named in the command's own words ("cannot revive …: … is sealed"), exit 1, before any
/// model is loaded or any file is written, rather than by the first read that meets a locked block.
/// </summary>
internal static class LockedContent
{
    /// <summary>
    /// True (and the message written) when <paramref name="id"/> (a node, a unique prefix, or a conversation) lies in a
    /// sealed or shredded conversation of an encrypted archive; <paramref name="action"/> is the verb ("revive").
    /// </summary>
    public static bool Refuse(CliEnvironment env, Archive archive, string id, string action)
    {
        if (archive.Encryption.KeyStore is not { } store)
        {
            return false;
        }

        var resolved = archive.Resolve(id);
        IEnumerable<string> conversations = resolved.Kind switch
        {
            ResolvedKind.Conversation => [resolved.Id],
            ResolvedKind.Node => archive.ConversationsOf(resolved.Id),
            _ => [id], // a shredded conversation is no longer in the index: keys.db still names it
        };
        foreach (var conversation in conversations)
        {
            if (store.Get(conversation) is { State: KeyState.Sealed or KeyState.Shredded } row)
            {
                env.Error.WriteLine($"amber: cannot {action} {id}: {new ContentLockedException(conversation, row.State, hasKeyProvider: true).Message}");
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True (and the message written) when an export of <paramref name="tenant"/> (all tenants when null) would meet a
    /// sealed or shredded conversation: a bag holds content in the clear (encryption.md §14), and theirs cannot be read.
    /// </summary>
    public static bool RefuseExport(CliEnvironment env, Archive archive, string? tenant)
    {
        if (archive.Encryption.KeyStore is not { } store)
        {
            return false;
        }

        foreach (var state in new[] { KeyState.Sealed, KeyState.Shredded })
        {
            if (store.List(state, tenant).FirstOrDefault() is { } row)
            {
                env.Error.WriteLine($"amber: cannot export a bag: {new ContentLockedException(row.Subject, row.State, hasKeyProvider: true).Message} "
                    + "A bag holds every exported conversation's content in the clear; this archive's holds one that cannot be read (docs/format/encryption.md §14).");
                return true;
            }
        }

        return false;
    }
}
