using System.Text.Json;

namespace Amber.Transparency.Tests.Notes;

/// <summary>Reads <c>../shared/vectors/signed-note/signed-note-vectors.json</c> at run time.</summary>
internal static class SignedNoteVectors
{
    public static JsonElement Section(string section)
    {
        var folder = Amber.Testing.SharedData.RequireVectors("signed-note");
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "signed-note-vectors.json")));
        return json.RootElement.GetProperty(section).Clone();
    }

    public static JsonElement Find(string section, string id)
        => Section(section).EnumerateArray().Single(v => v.GetProperty("id").GetString() == id);

    /// <summary>The ids in a section as theory data, or one placeholder row that makes the theory skip.</summary>
    public static TheoryData<string> Ids(string section, string? withProperty = null)
    {
        var folder = Amber.Testing.SharedData.VectorFolder("signed-note");
        var path = folder is null ? null : Path.Combine(folder, "signed-note-vectors.json");
        if (path is null || !File.Exists(path))
        {
            return new TheoryData<string>([Amber.Testing.SharedData.Missing]);
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var ids = json.RootElement.GetProperty(section).EnumerateArray()
            .Where(v => withProperty is null || v.TryGetProperty(withProperty, out _))
            .Select(v => v.GetProperty("id").GetString()!)
            .ToList();
        return new TheoryData<string>(ids.Count > 0 ? ids : [Amber.Testing.SharedData.Missing]);
    }

    /// <summary>The vector's vkeys: a single <c>vkey</c> or a <c>vkeys</c> array.</summary>
    public static IReadOnlyList<string> VerifierKeys(JsonElement vector)
        => vector.TryGetProperty("vkeys", out var many)
            ? [.. many.EnumerateArray().Select(k => k.GetString()!)]
            : [vector.GetProperty("vkey").GetString()!];
}
