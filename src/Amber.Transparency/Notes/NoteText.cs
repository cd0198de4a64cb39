using System.Buffers;
using System.Text;

namespace Amber.Transparency.Notes;

/// <summary>The character rules that signed-note text, key names and signature lines share.</summary>
internal static class NoteText
{
    /// <summary>Why <paramref name="text"/> cannot be signed note text, or null when it can.</summary>
    public static string? CheckText(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[^1] != '\n')
        {
            return "The note text must be non-empty and end with a newline.";
        }

        return CheckCharacters(text, allowNewline: true);
    }

    /// <summary>Why <paramref name="name"/> cannot be a key name, or null when it can.</summary>
    public static string? CheckKeyName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return "A key name must not be empty.";
        }

        var invalid = CheckCharacters(name, allowNewline: false);
        if (invalid is not null)
        {
            return invalid;
        }

        foreach (var rune in name.EnumerateRunes())
        {
            if (rune.Value == '+' || Rune.IsWhiteSpace(rune))
            {
                return $"Key name \"{name}\" contains '{(rune.Value == '+' ? "+" : $"U+{rune.Value:X4}")}'; key names have no spaces and no '+'.";
            }
        }

        return null;
    }

    /// <summary>Valid UTF-16 (so valid UTF-8 once encoded), no control characters except optionally newline.</summary>
    public static string? CheckCharacters(ReadOnlySpan<char> text, bool allowNewline)
    {
        var position = 0;
        while (position < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[position..], out var rune, out var consumed) != OperationStatus.Done)
            {
                return $"Unpaired surrogate at character {position}; the note must be valid UTF-8.";
            }

            if (rune.Value < 0x20 && !(allowNewline && rune.Value == '\n'))
            {
                return $"Control character U+{rune.Value:X4} at character {position}; only newline is allowed.";
            }

            position += consumed;
        }

        return null;
    }
}
