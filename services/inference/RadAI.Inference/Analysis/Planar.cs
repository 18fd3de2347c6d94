namespace RadAI.Inference.Analysis;

/// <summary>2D helpers on one image (row-major, x fastest): hole filling and left–right mirroring.</summary>
public static class Planar
{
    /// <summary>Background pixels not 4-connected, through background, to the image edge become foreground.</summary>
    public static byte[] FillHoles(ReadOnlySpan<byte> mask, int width, int height) => MaskOps.FillHolesInPlane(mask, width, height);

    /// <summary>The image mirrored left–right (column x becomes column width − 1 − x).</summary>
    public static T[] MirrorX<T>(ReadOnlySpan<T> image, int width, int height)
    {
        var mirrored = new T[image.Length];
        for (var y = 0; y < height; y++)
        {
            var row = y * width;
            for (var x = 0; x < width; x++)
            {
                mirrored[row + x] = image[row + width - 1 - x];
            }
        }

        return mirrored;
    }
}
