using System.Text;
using System.Text.Json;
using Amber.Storage.Index;
using Amber.Testing;

namespace Amber.Storage.Tests.Index;

/// <summary>
/// The encrypted index's own word cutter (<see cref="PlainWords"/>) against SQLite's tokenizer (<see cref="IndexTokenizer"/>,
/// the one the index and every query use): for every character it accepts, random texts of them, and real message
/// text, the two give the same words, so a word indexed by one is found by a query cut by the other.
/// </summary>
public sealed class PlainWordsTests : IDisposable
{
    private readonly IndexTokenizer sqlite = new();
    private readonly PlainWords plain = IndexTokenizer.Plain;

    public void Dispose() => sqlite.Dispose();

    [Fact]
    public void EveryAcceptedCharacter_CutsAsSqliteCutsIt()
    {
        var accepted = Enumerable.Range(0, 0x10000).Select(i => (char)i).Where(plain.Knows).ToList();
        Assert.True(accepted.Count > 60_000, $"{accepted.Count} characters known");
        Assert.All(accepted, c => Assert.True(plain.IsPlain(c.ToString())));
        var texts = accepted.SelectMany(c => new[] { $"ab{c}CD{c}{c}9", $"{c}x", $"Word{c}", c.ToString() }).ToList();
        AssertSameWords(texts);
    }

    [Fact]
    public void RandomTextsOfAcceptedCharacters_CutAsSqliteCutsThem()
    {
        var alphabet = Enumerable.Range(0, 0x10000).Select(i => (char)i).Where(plain.Knows).Select(c => c.ToString())
            .Concat(["\U0001F600", "\U0001F680", "\U0001F9E0", "\U0001FA90"]).ToArray();
        var letters = "aZ09qQ ".ToCharArray();
        var random = new Random(1507);
        var texts = Enumerable.Range(0, 20_000).Select(_ =>
        {
            var b = new StringBuilder();
            var length = random.Next(0, 120);
            for (var i = 0; i < length; i++)
            {
                if (random.Next(3) == 0)
                {
                    b.Append(alphabet[random.Next(alphabet.Length)]);
                }
                else
                {
                    b.Append(letters[random.Next(letters.Length)]);
                }
            }

            return b.ToString();
        }).Where(plain.IsPlain).ToList();
        Assert.True(texts.Count > 19_000);
        AssertSameWords(texts);
    }

    [Fact]
    public void RealMessageText_CutsAsSqliteCutsIt()
    {
        var folder = SharedData.PathTo("corpus");
        if (folder is null || !Directory.Exists(folder))
        {
            Assert.Skip(SharedData.MissingMessage + " (needed: shared/corpus)");
        }

        // Every JSON string of the corpus's files that is a plain text: message text, titles, names, ids.
        var texts = new List<string>();
        var all = 0;
        foreach (var file in Directory.EnumerateFiles(folder!, "*.json*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var line in file.EndsWith(".jsonl", StringComparison.Ordinal) ? Lines(bytes) : [bytes])
            {
                var reader = new Utf8JsonReader(line);
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } s)
                    {
                        all++;
                        if (plain.IsPlain(s))
                        {
                            texts.Add(s);
                        }
                    }
                }
            }
        }

        Assert.True(texts.Count > 10_000, $"{texts.Count} plain strings of {all}");
        AssertSameWords(texts);
    }

    [Theory]
    [InlineData("cafe\u0301")] // a combining diacritic continues a word but cannot start one
    [InlineData("\U00010400 deseret")] // a letter outside the Basic Multilingual Plane
    public void ATextWithOtherCharacters_IsLeftToSqlite(string text) => Assert.False(plain.IsPlain(text));

    [Fact]
    public void ALoneSurrogate_IsLeftToSqlite()
    {
        Assert.False(plain.IsPlain("lone " + '\uD83D' + " high"));
        Assert.False(plain.IsPlain("lone " + '\uDE00' + " low"));
        Assert.False(plain.IsPlain("ends " + '\uD83D'));
    }

    [Fact]
    public void EmojiAndSymbolsOutsideTheBasicPlane_AreSeparators()
    {
        var text = "ship\U0001F680it\U0001F600 now";
        Assert.True(plain.IsPlain(text));
        AssertSameWords([text]);
    }

    [Fact]
    public void AWordLongerThanTheBound_IsLeftToSqlite()
    {
        Assert.True(plain.IsPlain(new string('a', PlainWords.MaxWordLength) + " b"));
        Assert.False(plain.IsPlain(new string('a', PlainWords.MaxWordLength + 1)));
        Assert.Throws<ArgumentException>(() => plain.Cut(new string('a', PlainWords.MaxWordLength + 1), _ => { }));
    }

    private void AssertSameWords(IReadOnlyList<string> texts)
    {
        var expected = new List<string>[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            expected[i] = [];
        }

        foreach (var (word, docs) in sqlite.Words(texts))
        {
            foreach (var doc in docs)
            {
                expected[doc].Add(word);
            }
        }

        for (var i = 0; i < texts.Count; i++)
        {
            var actual = new List<string>();
            plain.Cut(texts[i], w => actual.Add(w.ToString()));
            actual.Sort(StringComparer.Ordinal);
            expected[i].Sort(StringComparer.Ordinal);
            Assert.True(expected[i].SequenceEqual(actual), $"text {i} {JsonSerializer.Serialize(texts[i])}: SQLite [{string.Join(",", expected[i])}], PlainWords [{string.Join(",", actual)}]");
        }
    }

    private static IEnumerable<byte[]> Lines(byte[] bytes)
    {
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                if (i > start)
                {
                    yield return bytes[start..i];
                }

                start = i + 1;
            }
        }
    }
}
