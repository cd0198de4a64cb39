using System.Text;
using Amber.Core.Json;

namespace Amber.Core.Tests.Json;

/// <summary>
/// The RFC 8785 reference vectors (cyberphone/json-canonicalization testdata), read from
/// <c>../shared/vectors/jcs</c> at run time; they are not copied into the repository.
/// </summary>
public sealed class CanonicalJsonVectorTests
{
    private const string Missing = "(shared vectors missing)";

    public static TheoryData<string> Cases()
    {
        var folder = Amber.Testing.SharedData.Directory is { } shared ? Path.Combine(shared, "vectors", "jcs", "input") : null;
        var names = folder is not null && Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];

        // A theory with no data fails; one placeholder row lets the test skip with a reason instead.
        return new TheoryData<string>(names.Count > 0 ? names : [Missing]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonicalize_ReferenceVector_MatchesExpectedOutputBytes(string name)
    {
        var jcs = Amber.Testing.SharedData.RequireVectors("jcs");
        Assert.NotEqual(Missing, name);

        var input = File.ReadAllBytes(Path.Combine(jcs, "input", name + ".json"));
        var expected = File.ReadAllBytes(Path.Combine(jcs, "output", name + ".json"));

        var actual = CanonicalJson.Canonicalize(input);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonicalize_ReferenceVector_MatchesExpectedOutHex(string name)
    {
        var jcs = Amber.Testing.SharedData.RequireVectors("jcs");
        Assert.NotEqual(Missing, name);

        var input = File.ReadAllBytes(Path.Combine(jcs, "input", name + ".json"));
        var hex = File.ReadAllText(Path.Combine(jcs, "outhex", name + ".txt"));
        var expected = Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

        Assert.Equal(expected, CanonicalJson.Canonicalize(input));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonicalize_ReferenceVectorOutput_IsAFixedPoint(string name)
    {
        var jcs = Amber.Testing.SharedData.RequireVectors("jcs");
        Assert.NotEqual(Missing, name);

        var expected = File.ReadAllBytes(Path.Combine(jcs, "output", name + ".json"));

        Assert.Equal(expected, CanonicalJson.Canonicalize(expected));
    }

    [Fact]
    public void VectorFolder_EveryInput_HasOutputAndOutHex()
    {
        var jcs = Amber.Testing.SharedData.RequireVectors("jcs");

        var inputs = Directory.GetFiles(Path.Combine(jcs, "input"), "*.json").Select(Path.GetFileNameWithoutExtension).ToList();

        Assert.NotEmpty(inputs);
        Assert.All(inputs, n =>
        {
            Assert.True(File.Exists(Path.Combine(jcs, "output", n + ".json")), $"output/{n}.json is missing");
            Assert.True(File.Exists(Path.Combine(jcs, "outhex", n + ".txt")), $"outhex/{n}.txt is missing");
        });
    }
}
