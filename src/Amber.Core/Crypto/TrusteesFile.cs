namespace Amber.Core.Crypto;

/// <summary>
/// The trustees file a seal is made for (docs/format/encryption.md §8): UTF-8 text, one trustee per line as
/// <c>NAME x25519:BASE64</c> (the 32-byte public key in standard base64), blank lines and lines starting with
/// <c>#</c> ignored. Names and keys are unique.
/// </summary>
public static class TrusteesFile
{
    public const string KeyPrefix = "x25519:";

    /// <summary>The trustees in <paramref name="text"/>; <paramref name="source"/> (the file name) starts every error, with the line number.</summary>
    public static IReadOnlyList<Trustee> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var trustees = new List<Trustee>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2)
            {
                throw Fail(source, number, $"expected 'NAME {KeyPrefix}BASE64', got {fields.Length} fields");
            }

            var (name, key) = (fields[0], fields[1]);
            var nameProblem = Trustee.CheckName(name);
            if (nameProblem is not null)
            {
                throw Fail(source, number, nameProblem.TrimEnd('.'));
            }

            if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal))
            {
                throw Fail(source, number, $"the key of '{name}' does not start with '{KeyPrefix}' (the only key type a trustee can have)");
            }

            var publicKey = new byte[Trustee.PublicKeyLength + 3];
            if (!Convert.TryFromBase64String(key[KeyPrefix.Length..], publicKey, out var written) || written != Trustee.PublicKeyLength)
            {
                throw Fail(source, number, $"the key of '{name}' is not {Trustee.PublicKeyLength} bytes of standard base64");
            }

            if (names.TryGetValue(name, out var earlier))
            {
                throw Fail(source, number, $"the trustee '{name}' is already named on line {earlier}");
            }

            if (keys.TryGetValue(key, out var sameKey))
            {
                throw Fail(source, number, $"the key of '{name}' is the key of the trustee on line {sameKey}");
            }

            names[name] = number;
            keys[key] = number;
            trustees.Add(new Trustee(name, publicKey.AsSpan(0, Trustee.PublicKeyLength)));
        }

        if (trustees.Count == 0)
        {
            throw new KeyRecordException($"{source}: names no trustees.");
        }

        if (trustees.Count > Shamir.MaxShares)
        {
            throw new KeyRecordException($"{source}: names {trustees.Count} trustees; a seal has at most {Shamir.MaxShares}.");
        }

        return trustees;
    }

    public static string Format(IEnumerable<Trustee> trustees)
        => string.Concat(trustees.Select(t => t + "\n"));

    private static KeyRecordException Fail(string source, int line, string problem) => new($"{source}:{line}: {problem}.");
}
