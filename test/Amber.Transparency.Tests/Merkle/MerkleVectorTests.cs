using System.Text.Json;
using Amber.Transparency.Merkle;

namespace Amber.Transparency.Tests.Merkle;

/// <summary>
/// The transparency-dev/merkle proof probes (happy paths and systematic mutations), read from
/// <c>../shared/vectors/tlog-merkle</c> at run time: every file's verdict must match its <c>wantErr</c>.
/// </summary>
public sealed class MerkleVectorTests
{
    public static TheoryData<string> InclusionCases() => Cases("inclusion");

    public static TheoryData<string> ConsistencyCases() => Cases("consistency");

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void VerifyInclusion_Probe_MatchesWantErr(string file)
    {
        var folder = Amber.Testing.SharedData.RequireVectors("tlog-merkle");
        Assert.NotEqual(Amber.Testing.SharedData.Missing, file);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, file)));
        var probe = json.RootElement;

        var result = MerkleProofs.VerifyInclusion(
            Size(probe, "leafIdx"),
            Size(probe, "treeSize"),
            Bytes(probe, "leafHash"),
            Proof(probe),
            Bytes(probe, "root"));

        Assert.True(result.IsValid != probe.GetProperty("wantErr").GetBoolean(), $"{file} ({probe.GetProperty("desc").GetString()}): got {result}");
    }

    [Theory]
    [MemberData(nameof(ConsistencyCases))]
    public void VerifyConsistency_Probe_MatchesWantErr(string file)
    {
        var folder = Amber.Testing.SharedData.RequireVectors("tlog-merkle");
        Assert.NotEqual(Amber.Testing.SharedData.Missing, file);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, file)));
        var probe = json.RootElement;

        var result = MerkleProofs.VerifyConsistency(
            Size(probe, "size1"),
            Size(probe, "size2"),
            Proof(probe),
            Bytes(probe, "root1"),
            Bytes(probe, "root2"));

        Assert.True(result.IsValid != probe.GetProperty("wantErr").GetBoolean(), $"{file} ({probe.GetProperty("desc").GetString()}): got {result}");
    }

    [Fact]
    public void Probes_SharedFolder_HasAllFiles()
    {
        var folder = Amber.Testing.SharedData.RequireVectors("tlog-merkle");

        var count = Directory.GetFiles(Path.Combine(folder, "inclusion"), "*.json", SearchOption.AllDirectories).Length
            + Directory.GetFiles(Path.Combine(folder, "consistency"), "*.json", SearchOption.AllDirectories).Length;

        Assert.Equal(196, count);
    }

    private static TheoryData<string> Cases(string kind)
    {
        var folder = Amber.Testing.SharedData.VectorFolder("tlog-merkle");
        var files = folder is null
            ? []
            : Directory.GetFiles(Path.Combine(folder, kind), "*.json", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(folder, f))
                .Order(StringComparer.Ordinal)
                .ToList();

        // A theory with no data fails; one placeholder row lets the test skip with a reason instead.
        return new TheoryData<string>(files.Count > 0 ? files : [Amber.Testing.SharedData.Missing]);
    }

    // The probes are Go uint64s (one is 0 - 1 wrapped); the API is long, where such values are negative and rejected.
    private static long Size(JsonElement probe, string name) => unchecked((long)probe.GetProperty(name).GetUInt64());

    private static byte[] Bytes(JsonElement probe, string name)
        => probe.GetProperty(name).ValueKind == JsonValueKind.Null ? [] : probe.GetProperty(name).GetBytesFromBase64();

    private static byte[][] Proof(JsonElement probe)
        => probe.GetProperty("proof").ValueKind == JsonValueKind.Null
            ? []
            : [.. probe.GetProperty("proof").EnumerateArray().Select(e => e.GetBytesFromBase64())];
}
