using System.Security.Cryptography;
using System.Text;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// How chat messages become a prompt. A model with a <c>tokenizer.chat_template</c> uses it (through
/// llama.cpp); a model without one uses Amber's documented default, <see cref="DefaultTemplate"/>.
/// Replay never re-applies a template: it uses the recorded prompt token ids.
/// </summary>
public static class ChatTemplates
{
    public const string MetadataKey = "tokenizer.chat_template";

    /// <summary>
    /// The default template, in Jinja form (its SHA-256 is the model reference's template digest):
    /// each message as "Role: content" followed by a blank line, then "Assistant:".
    /// </summary>
    public const string DefaultTemplate = "{% for m in messages %}{{ m.role | capitalize }}: {{ m.content }}\n\n{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}";

    public static string Sha256(string template) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template)));

    /// <summary>Applies <see cref="DefaultTemplate"/>.</summary>
    public static string ApplyDefault(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true)
    {
        var sb = new StringBuilder();
        foreach (var (role, content) in messages)
        {
            sb.Append(role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..].ToLowerInvariant()).Append(": ").Append(content).Append("\n\n");
        }

        if (addGenerationPrompt)
        {
            sb.Append("Assistant:");
        }

        return sb.ToString();
    }
}
