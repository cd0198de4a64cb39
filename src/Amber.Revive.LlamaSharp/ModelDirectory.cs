namespace Amber.Revive.LlamaSharp;

/// <summary>Finds GGUF weights by their SHA-256 under a folder (<c>--models DIR</c>), searching subfolders.</summary>
public sealed class ModelDirectory(string directory)
{
    private Dictionary<string, string>? byDigest;

    public string Directory => directory;

    /// <summary>The path of the file whose SHA-256 is <paramref name="weightsSha256"/>, or null.</summary>
    public string? Find(string weightsSha256)
    {
        if (byDigest is null)
        {
            if (!System.IO.Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"--models {directory}: the folder does not exist.");
            }

            byDigest = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.gguf", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                byDigest.TryAdd(LocalModel.WeightsSha256(file), file);
            }
        }

        return byDigest.GetValueOrDefault(weightsSha256);
    }
}
