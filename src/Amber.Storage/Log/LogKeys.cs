using Amber.Storage.FileSystem;
using Amber.Transparency.Notes;

namespace Amber.Storage.Log;

/// <summary>
/// The log's Ed25519 key pair, made at `amber init` and kept in the archive folder: log/signing.key (the
/// private key, mode 0600) and log/vkey (the verifier key line anyone may have).
/// </summary>
internal static class LogKeys
{
    public static string SigningKeyPath(string root) => Path.Combine(root, "log", "signing.key");

    public static string VerifierKeyPath(string root) => Path.Combine(root, "log", "vkey");

    public static void Create(IFileSystem fs, string root, string origin, Action<Span<byte>> random)
    {
        fs.CreateDirectory(Path.Combine(root, "log"));
        using var signer = NoteSigner.Generate(origin, random);
        var skey = System.Text.Encoding.UTF8.GetBytes(signer.ExportPrivateKey() + "\n");
        Amber.Storage.FileSystem.AtomicFile.Write(fs, SigningKeyPath(root), skey);
        Amber.Storage.FileSystem.AtomicFile.Write(fs, VerifierKeyPath(root), System.Text.Encoding.UTF8.GetBytes(signer.VerifierKey + "\n"));
    }

    public static (NoteSigner? Signer, NoteVerifierKey Verifier) Load(IFileSystem fs, string root, Func<string, byte[]> read)
    {
        NoteVerifierKey vkey;
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(read(VerifierKeyPath(root))).Trim();
            vkey = NoteVerifierKey.Parse(text);
            ThrowIfNotAsWritten(text, vkey.ToString());
        }
        catch (FormatException e)
        {
            throw new CorruptArchiveException($"log/vkey is damaged: {e.Message}", e);
        }

        NoteSigner? signer = null;
        if (fs.FileExists(SigningKeyPath(root)))
        {
            try
            {
                var text = System.Text.Encoding.UTF8.GetString(read(SigningKeyPath(root))).Trim();
                var parsed = NoteSigner.ParsePrivateKey(text);
                try
                {
                    ThrowIfNotAsWritten(text, parsed.ExportPrivateKey());
                }
                catch (FormatException)
                {
                    parsed.Dispose();
                    throw;
                }

                signer = parsed;
            }
            catch (UnauthorizedAccessException)
            {
                signer = null; // a reader without access to the private key can still prove and verify
            }
            catch (FormatException e)
            {
                throw new CorruptArchiveException($"log/signing.key is damaged: {e.Message}", e);
            }

            if (signer is not null && signer.VerifierKey.ToString() != vkey.ToString())
            {
                throw new CorruptArchiveException("log/signing.key does not match log/vkey.");
            }
        }

        return (signer, vkey);
    }

    /// <summary>
    /// A key line must read back as the text <see cref="Create"/> wrote: the parsers accept an upper-case key hash and
    /// base64 with stray low bits, which decode to the same key, so a bit flip there would otherwise go unseen (found by
    /// the rot campaign: flips in the key hash's hex of log/vkey and log/signing.key that verify did not detect).
    /// </summary>
    private static void ThrowIfNotAsWritten(string text, string canonical)
    {
        if (!string.Equals(text, canonical, StringComparison.Ordinal))
        {
            var at = text.Zip(canonical).TakeWhile(p => p.First == p.Second).Count();
            throw new FormatException($"it is not the key line amber wrote (it differs at character {at}, though it parses)");
        }
    }
}
