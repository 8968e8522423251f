package social

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"time"

	"github.com/generia/generia/internal/generia"
)

// The budgets of an upload's decoding, checked from its headers before any
// pixel is decoded: a few kilobytes can describe gigabytes of pixels (a GIF
// of many large frames of one colour, a PNG of compressed zeros) or minutes
// of work (a JPEG of thousands of tiny progressive scans over a large
// picture).
const (
	// MaxUploadFramePixels is the most pixels of one frame: a square of
	// MaxUploadPixels a side.
	MaxUploadFramePixels = MaxUploadPixels * MaxUploadPixels
	// MaxUploadTotalPixels is the most pixels of a whole upload, width ×
	// height summed over its frames (an animated GIF: four full frames of
	// 4096×4096, or a hundred of 800×800). The decoder holds them all.
	MaxUploadTotalPixels = 64 << 20
	// MaxUploadDecodedBytes is the most memory a PNG's or a WebP's decoded
	// pixels may take: a 4096×4096 PNG of 8-bit colour and alpha, or one of
	// 16-bit colour, or a lossless WebP, about 2900 pixels a side.
	MaxUploadDecodedBytes = 64 << 20
	// MaxJPEGDecodedBytes is the most memory a JPEG's decoding may take: a
	// 4096×4096 photo, progressive at 4:2:0 (its coefficients take 100 MB
	// of it) or baseline at 4:4:4.
	MaxJPEGDecodedBytes = 128 << 20
	// MaxUploadFrames is the most frames of an animated GIF.
	MaxUploadFrames = 100
	// MaxJPEGScans is the most scans of a JPEG. A baseline JPEG has one,
	// a progressive one usually 6 to 20; each scan may cost a pass over
	// every block of the picture, whatever few bytes it takes (as
	// libjpeg-turbo's scan limit guards against).
	MaxJPEGScans = 100
	// MaxJPEGScanPixels bounds a JPEG's scans times its pixels: 32 passes
	// over the largest picture, more over smaller ones (a pass over
	// 4096×4096 pixels costs about 20 ms of CPU, whatever its bytes).
	MaxJPEGScanPixels = 32 * MaxUploadFramePixels
	// MaxDecodeTime bounds the decoding and encoding of one upload, a
	// backstop behind the budgets above: a 4096×4096 photo takes well under
	// a second.
	MaxDecodeTime = 10 * time.Second
)

// errCut is a header walk that ran off the end of the file.
var errCut = errors.New("the file ends inside a header")

// budget walks the headers of an image of a detected content type, without
// decoding any pixel, and refuses with KindInvalid one whose frames, pixels
// or scans are over the budgets above, or whose structure is broken. cfg is
// what image.DecodeConfig read of it.
func budget(data []byte, ctype string, cfg image.Config) error {
	var frames [][2]int
	var err error
	switch ctype {
	case "image/gif":
		frames, err = gifFrames(data)
	case "image/jpeg":
		var j jpegHeader
		j, err = jpegHeaders(data)
		switch {
		case err != nil:
		case j.scans > MaxJPEGScans:
			return generia.Errorf(generia.KindInvalid, "the JPEG has more than %d scans; at most %d are allowed", MaxJPEGScans, MaxJPEGScans)
		case j.scans*j.width*j.height > MaxJPEGScanPixels:
			return generia.Errorf(generia.KindInvalid, "the JPEG has %d scans of %d×%d pixels; save it with fewer (baseline, or a usual progressive)", j.scans, j.width, j.height)
		case j.decoded > MaxJPEGDecodedBytes:
			return generia.Errorf(generia.KindInvalid, "the JPEG's %d×%d pixels would take %d MB to read; at most %d MB are allowed (save it as a baseline JPEG, or smaller)",
				j.width, j.height, j.decoded>>20, MaxJPEGDecodedBytes>>20)
		}
		if j.scans > 0 {
			frames = [][2]int{{j.width, j.height}}
		}
	case "image/png":
		err = pngBudget(data)
		if err != nil && !generia.IsKind(err, generia.KindInvalid) {
			err = generia.WrapError(generia.KindInvalid, err, "the image is broken")
		}
		return err
	case "image/webp":
		// The header's size is the picture's (the decoder reads one frame;
		// an animated WebP is refused by its decoder). A lossless picture
		// is decoded into two copies of 4 bytes a pixel, a lossy one into
		// 1.5 bytes a pixel and its alpha.
		decoded := cfg.Width * cfg.Height * 5 / 2
		if webpLossless(data) {
			decoded = cfg.Width * cfg.Height * 8
		}
		if decoded > MaxUploadDecodedBytes {
			return generia.Errorf(generia.KindInvalid, "the WebP's %d×%d pixels would take %d MB to read; at most %d MB are allowed (save it lossy, or smaller)",
				cfg.Width, cfg.Height, decoded>>20, MaxUploadDecodedBytes>>20)
		}
		return nil
	}
	if err != nil {
		return generia.WrapError(generia.KindInvalid, err, "the image is broken")
	}
	if len(frames) == 0 {
		return generia.Errorf(generia.KindInvalid, "the image has no picture in it")
	}
	if len(frames) > MaxUploadFrames {
		return generia.Errorf(generia.KindInvalid, "the image has more than %d frames; at most %d are allowed", MaxUploadFrames, MaxUploadFrames)
	}
	total := 0
	for _, f := range frames {
		if f[0] > MaxUploadPixels || f[1] > MaxUploadPixels {
			return generia.Errorf(generia.KindInvalid, "a frame of the image is %d×%d; each side must be at most %d pixels", f[0], f[1], MaxUploadPixels)
		}
		total += f[0] * f[1]
	}
	if total > MaxUploadTotalPixels {
		return generia.Errorf(generia.KindInvalid, "the image's frames hold %d million pixels; at most %d million are allowed", total>>20, MaxUploadTotalPixels>>20)
	}
	return nil
}

// gifFrames returns the sizes of a GIF's frames, walking its blocks and
// skipping their data (GIF89a, section 17 onwards). It stops counting past
// MaxUploadFrames+1 frames.
func gifFrames(data []byte) ([][2]int, error) {
	const screen = 6 + 7 // signature and version, logical screen descriptor
	if len(data) < screen {
		return nil, errCut
	}
	at := screen
	if flags := data[10]; flags&0x80 != 0 {
		at += 3 << (flags&7 + 1) // the global colour table
	}
	// subBlocks skips data sub-blocks up to and including their terminator.
	subBlocks := func() error {
		for {
			if at >= len(data) {
				return errCut
			}
			n := int(data[at])
			at += 1 + n
			if n == 0 {
				return nil
			}
		}
	}
	var frames [][2]int
	for len(frames) <= MaxUploadFrames {
		if at >= len(data) {
			return frames, nil // no trailer: the decoder says whether that is an image
		}
		switch data[at] {
		case 0x21: // extension: label, then sub-blocks
			at += 2
			if err := subBlocks(); err != nil {
				return nil, err
			}
		case 0x2C: // image descriptor: left, top, width, height, flags
			if at+10 > len(data) {
				return nil, errCut
			}
			d := data[at+1 : at+10]
			frames = append(frames, [2]int{int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))})
			at += 10
			if flags := d[8]; flags&0x80 != 0 {
				at += 3 << (flags&7 + 1) // a local colour table
			}
			at++ // LZW minimum code size
			if err := subBlocks(); err != nil {
				return nil, err
			}
		case 0x3B: // trailer
			return frames, nil
		default:
			return nil, errors.New("an unknown GIF block")
		}
	}
	return frames, nil
}

// jpegHeader is what a JPEG's headers say of its decoding.
type jpegHeader struct {
	width, height int
	// scans is how many scans it has, each a pass of the decoder over the
	// picture (or one component of it).
	scans int
	// decoded is the bytes the decoder allocates: a plane of samples per
	// component and, for a progressive JPEG, 4 bytes a coefficient that
	// it keeps between scans.
	decoded int
}

// jpegHeaders reads a JPEG's headers: it walks the marker segments (ITU
// T.81, annex B) and skips the entropy-coded data after each start of
// scan. It stops counting past MaxJPEGScans+1 scans.
func jpegHeaders(data []byte) (j jpegHeader, err error) {
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		return j, errors.New("no JPEG start")
	}
	seenFrame := false
	at := 2
	for j.scans <= MaxJPEGScans {
		// A marker: 0xFF, any number of 0xFF fill bytes, then its code.
		// Bytes before it are skipped, as the decoder (and libjpeg) do.
		i := bytes.IndexByte(data[at:], 0xFF)
		if i < 0 {
			return j, errCut
		}
		at += i
		for at < len(data) && data[at] == 0xFF {
			at++
		}
		if at >= len(data) {
			return j, errCut
		}
		marker := data[at]
		at++
		switch {
		case marker == 0xD9: // end of image
			return j, nil
		case marker >= 0xD0 && marker <= 0xD7, marker == 0x01, marker == 0x00: // no length
			continue
		}
		if at+2 > len(data) {
			return j, errCut
		}
		n := int(binary.BigEndian.Uint16(data[at:]))
		if n < 2 || at+n > len(data) {
			return j, errCut
		}
		segment := data[at+2 : at+n]
		at += n
		switch marker {
		case 0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF: // start of frame
			if seenFrame {
				return j, errors.New("a JPEG of more than one frame")
			}
			seenFrame = true
			progressive := marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
			if j, err = jpegFrame(segment, progressive); err != nil {
				return j, err
			}
		case 0xDA: // start of scan: entropy-coded data runs to the next marker
			if !seenFrame {
				return j, errors.New("a JPEG scan before its frame")
			}
			j.scans++
			for {
				i := bytes.IndexByte(data[at:], 0xFF)
				if i < 0 || at+i+1 >= len(data) {
					return j, errCut
				}
				at += i
				if next := data[at+1]; next != 0x00 && (next < 0xD0 || next > 0xD7) {
					break // a marker (byte stuffing is FF 00, restarts FF D0-D7)
				}
				at += 2
			}
		}
	}
	return j, nil
}

// jpegFrame reads a start-of-frame segment: the picture's size, and the
// bytes its decoding takes from its components' sampling.
func jpegFrame(segment []byte, progressive bool) (jpegHeader, error) {
	if len(segment) < 6 || len(segment) < 6+3*int(segment[5]) {
		return jpegHeader{}, errCut
	}
	j := jpegHeader{width: int(binary.BigEndian.Uint16(segment[3:])), height: int(binary.BigEndian.Uint16(segment[1:]))}
	comps := segment[6 : 6+3*int(segment[5])]
	hmax, vmax := 1, 1
	for c := 0; c < len(comps); c += 3 {
		hmax, vmax = max(hmax, int(comps[c+1]>>4)), max(vmax, int(comps[c+1]&15))
	}
	mcuCols, mcuRows := (j.width+8*hmax-1)/(8*hmax), (j.height+8*vmax-1)/(8*vmax)
	perBlock := 64 // a sample a pixel
	if progressive {
		perBlock += 64 * 4 // and its coefficients, kept between scans
	}
	for c := 0; c < len(comps); c += 3 {
		h, v := max(1, int(comps[c+1]>>4)), max(1, int(comps[c+1]&15))
		j.decoded += mcuCols * h * mcuRows * v * perBlock
	}
	if len(comps) == 4*3 {
		j.decoded += j.width * j.height * 4 // CMYK is converted into a picture of its own
	}
	return j, nil
}

// webpLossless reports whether a WebP's picture is lossless (VP8L): the
// first picture chunk it finds.
func webpLossless(data []byte) bool {
	for at := 12; at+8 <= len(data); {
		switch string(data[at : at+4]) {
		case "VP8L":
			return true
		case "VP8 ":
			return false
		}
		n := int(binary.LittleEndian.Uint32(data[at+4:]))
		at += 8 + n + n%2
	}
	return false
}

// maxDeflateRatio is how many bytes at most deflate makes of one: a PNG
// whose compressed data is smaller than its pixels over this ratio is cut
// short, whatever its header says.
const maxDeflateRatio = 1032

// pngBudget walks a PNG's chunks (its signature checked by the caller) and
// refuses one whose decoded pixels would take more than
// MaxUploadDecodedBytes (the standard decoder makes 16-bit pictures 8 bytes
// a pixel) or whose compressed data cannot hold the pixels its header
// claims, before the decoder allocates them.
func pngBudget(data []byte) error {
	var width, height, depth, colour, idat int
	for at := 8; ; {
		if at+8 > len(data) {
			return errCut
		}
		n, kind := int(binary.BigEndian.Uint32(data[at:])), string(data[at+4:at+8])
		if n > len(data) || at+12+n > len(data) {
			return errCut
		}
		body := data[at+8 : at+8+n]
		switch kind {
		case "IHDR":
			if width != 0 || n < 13 {
				return errCut
			}
			width, height = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
			depth, colour = int(body[8]), int(body[9])
		case "IDAT":
			idat += n
		}
		at += 12 + n
		if kind == "IEND" {
			break
		}
	}
	channels := map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
	if channels == 0 || depth == 0 {
		return errors.New("an unknown PNG colour type")
	}
	decoded := 4 // bytes a pixel as decoded: RGBA, NRGBA
	switch {
	case depth == 16 && colour == 0:
		decoded = 2 // Gray16
	case depth == 16:
		decoded = 8 // RGBA64, NRGBA64
	case colour == 0 || colour == 3:
		decoded = 1 // Gray, Paletted
	}
	if width*height*decoded > MaxUploadDecodedBytes {
		return generia.Errorf(generia.KindInvalid, "the image's %d×%d pixels of %d bits would take %d MB to read; at most %d MB are allowed",
			width, height, depth*channels, width*height*decoded>>20, MaxUploadDecodedBytes>>20)
	}
	raw := height * (1 + (width*depth*channels+7)/8) // each row with its filter byte
	if idat*maxDeflateRatio < raw {
		return errors.New("the PNG's data is too short for its size")
	}
	return nil
}

// ctxReader reads until its context ends (the client went away, or the
// decode took its time): the decoder then stops at its next read.
type ctxReader struct {
	ctx context.Context
	r   *bytes.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// ctxWriter writes until its context ends: an encoder stops at its next
// write.
type ctxWriter struct {
	ctx context.Context
	w   *bytes.Buffer
}

func (w ctxWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}
