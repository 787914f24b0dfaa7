#!/usr/bin/env bash
# Makes the Word and OpenDocument fixtures of crates/convert/tests/fixtures
# with LibreOffice, from documents written below (HTML and flat OpenDocument),
# so that the tests read files real software wrote. The generated files are
# committed; run this again only to change them:
#   apt-get install libreoffice-writer-nogui   # LibreOffice 7.4 made the committed files
#   scripts/make-transcript-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=crates/convert/tests/fixtures
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT

# A transcriber's Word document: a title and date before the first turn, bold
# speaker labels, curly quotes, a no-break space, a soft hyphen, a line break.
cat > "$src/bold-labels.html" <<'EOF'
<html><head><meta charset="utf-8"><title>Interview</title></head><body>
<p>Interview with P01, Osaka</p>
<p>Recorded 11 March 2019. Transcribed by J. Park.</p>
<p><b>Interviewer:</b> Thank you for agreeing to talk with me. Where did you grow up?</p>
<p><b>Kim:</b> I grew up in Hamhung, near the coast. My grandfather said &ldquo;we&rsquo;ll go back one day&rdquo;, but we never&nbsp;did.<br>We stayed.</p>
<p>That was our life, every&shy;thing in one room.</p>
<p><b>Interviewer:</b> What made you decide to leave?</p>
<p><b>Kim:</b> The hunger. In 2008 there was nothing to eat, and my uncle kept calling me to come.</p>
</body></html>
EOF

# A transcription service's table: time | speaker | text, with a header row.
cat > "$src/table.html" <<'EOF'
<html><head><meta charset="utf-8"><title>Transcript</title></head><body>
<p>Project Border Lives, interview 2</p>
<table border="1">
<tr><td>Time</td><td>Speaker</td><td>Text</td></tr>
<tr><td>00:00:05</td><td>Interviewer</td><td>Could you start by telling me about your family?</td></tr>
<tr><td>00:00:12</td><td>Respondent</td><td>My mother was a teacher. My father worked at the port.</td></tr>
<tr><td>00:01:40</td><td>Interviewer</td><td>And when did you first think of leaving?</td></tr>
<tr><td>00:01:47</td><td>Respondent</td><td><p>Only after my father died.</p><p>Before that, never.</p></td></tr>
</table>
</body></html>
EOF

# Korean and Japanese turns with full-width and ASCII colons.
cat > "$src/korean-japanese.html" <<'EOF'
<html><head><meta charset="utf-8"><title>인터뷰</title></head><body>
<p>면접자: 어디에서 자라셨어요?</p>
<p>참여자: 함흥에서 자랐어요. 할아버지는 1960년에 오사카에서 오셨어요.</p>
<p>インタビュアー：どうして日本に来ましたか。</p>
<p>参加者：祖父の国だからです。「帰国事業」の船で行った家族でした。</p>
</body></html>
EOF

# Tracked changes (an insertion and a deletion), a comment, a footnote, a
# header and a footer, in flat OpenDocument, which LibreOffice turns into
# Word's w:ins / w:del, comments.xml and footnotes.xml.
cat > "$src/tracked-changes.fodt" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:style style:name="Bold" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"/>
   <style:header-style/><style:footer-style/></style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header><text:p>CONFIDENTIAL: Border Lives study</text:p></style:header>
   <style:footer><text:p>Page footer text</text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body>
  <office:text>
   <text:tracked-changes>
    <text:changed-region text:id="ct1">
     <text:insertion><office:change-info><dc:creator>Editor</dc:creator><dc:date>2024-05-02T10:00:00</dc:date></office:change-info></text:insertion>
    </text:changed-region>
    <text:changed-region text:id="ct2">
     <text:deletion><office:change-info><dc:creator>Editor</dc:creator><dc:date>2024-05-02T10:01:00</dc:date></office:change-info><text:p>in the winter of</text:p></text:deletion>
    </text:changed-region>
   </text:tracked-changes>
   <text:p><text:span text:style-name="Bold">I:</text:span> When did you cross the river?</text:p>
   <text:p><text:span text:style-name="Bold">P:</text:span> We crossed <text:change text:change-id="ct2"/>in <text:change-start text:change-id="ct1"/>early <text:change-end text:change-id="ct1"/>March 2008.<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>The participant later said April.</text:p></text:note-body></text:note></text:p>
   <text:p><text:span text:style-name="Bold">I:</text:span> Who went with you?<office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2024-05-03T09:00:00</dc:date><text:p>Check the name of the guide.</text:p></office:annotation></text:p>
   <text:p><text:span text:style-name="Bold">P:</text:span> My cousin and a guide.</text:p>
  </office:text>
 </office:body>
</office:document>
EOF

# Plain Word-shaped paragraphs with typed `Name:` labels, for the filters.
cat > "$src/typed-labels.html" <<'EOF'
<html><head><meta charset="utf-8"><title>P02</title></head><body>
<p>Q: Where did you settle first?</p>
<p>Lee Min-ji: In Seoul, in a small flat near the station.</p>
<p>She told me: go to Japan, your grandfather's country.</p>
<p>Q: And did you?</p>
<p>Lee Min-ji: Yes, two years later.</p>
<p>Q: Why then?</p>
<p>Lee Min-ji: Work. There was no work for me in Seoul.</p>
</body></html>
EOF

convert() { # FILE FILTER OUTPUT
  soffice --headless --norestore --convert-to "$2" --outdir "$src/out" "$1" >/dev/null 2>&1
  local made="$src/out/$(basename "${1%.*}").${2%%:*}"
  mv "$made" "$3"
}

convert "$src/bold-labels.html" 'docx:MS Word 2007 XML' "$out/bold-labels.docx"
convert "$src/bold-labels.html" odt "$out/bold-labels.odt"
convert "$src/table.html" 'docx:MS Word 2007 XML' "$out/table.docx"
convert "$src/table.html" odt "$out/table.odt"
convert "$src/korean-japanese.html" 'docx:MS Word 2007 XML' "$out/korean-japanese.docx"
convert "$src/korean-japanese.html" odt "$out/korean-japanese.odt"
convert "$src/tracked-changes.fodt" 'docx:MS Word 2007 XML' "$out/tracked-changes.docx"
convert "$src/tracked-changes.fodt" odt "$out/tracked-changes.odt"
# "Word 2007-365" is the filter above; "Office Open XML Text" is the other
# .docx LibreOffice writes (strict-leaning, its own defaults).
convert "$src/typed-labels.html" 'docx:MS Word 2007 XML' "$out/word-2007-365.docx"
convert "$src/typed-labels.html" 'docx:Office Open XML Text' "$out/office-open-xml.docx"

# Plain text as Notepad and Word's "Unicode text" (UTF-16 with a BOM) and
# Excel/Word's "Text (Windows)" (Windows-1252) save it, made with iconv.
printf 'Interviewer: Caf\xc3\xa9 or tea?\r\nP: Tea, please. I don\xe2\x80\x99t drink coffee.\r\n' > "$src/plain.txt"
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$src/plain.txt"; } > "$out/utf16.txt"
iconv -f UTF-8 -t WINDOWS-1252 "$src/plain.txt" > "$out/windows-1252.txt"

# A password-protected Word file, encrypted as Word does it (ECMA-376 agile
# encryption in an OLE container) by msoffcrypto-tool (pip install
# msoffcrypto-tool), when it is installed.
if command -v msoffcrypto-tool >/dev/null 2>&1; then
  msoffcrypto-tool -e -p secret "$out/word-2007-365.docx" "$out/password.docx"
fi

# Broken inputs: a Word file cut short, and a zip archive that is no Word file.
head -c 2000 "$out/bold-labels.docx" > "$out/truncated.docx"
(cd "$src" && printf 'not a document\n' > readme.txt && rm -f notword.zip && python3 -c "import zipfile; z=zipfile.ZipFile('notword.zip','w'); z.write('readme.txt'); z.close()")
mv "$src/notword.zip" "$out/not-word.docx"
: > "$out/empty.docx"
# The bundled study's second example (examples/imports/): P03 as a Word
# document a transcriber typed (bold labels, one paragraph per line) and P04
# as the WebVTT file a Zoom recording gives (`Name: text` cues, the speakers
# by their Zoom names). Times come from the transcript's own timestamps;
# turns without one get the previous time plus five seconds.
mkdir -p examples/imports
python3 - "$src" <<'PY'
import html, re, sys
src = sys.argv[1]
body = lambda path: open(path, encoding="utf-8").read().split("+++\n", 2)[2]
lines = ["<html><head><meta charset='utf-8'><title>P03</title></head><body>",
         "<p>Interview P03, transcribed from the recording.</p>"]
for line in body("transcripts/P03.txt").splitlines():
    if not line.strip():
        continue
    m = re.match(r"^([IP]): ?(.*)$", line)
    if m:
        lines.append(f"<p><b>{m[1]}:</b> {html.escape(m[2])}</p>")
    else:
        lines.append(f"<p>{html.escape(line.strip())}</p>")
lines.append("</body></html>")
open(f"{src}/P03.html", "w", encoding="utf-8").write("\n".join(lines))

names = {"I": "Interviewer", "P": "Participant"}
cues, seconds, turn, n = ["WEBVTT", ""], 0, None, 0
def clock(s):
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000"
for line in body("transcripts/P04.txt").splitlines():
    m = re.match(r"^([IP]): ?(?:\[(\d+):(\d+):(\d+)\] )?(.*)$", line)
    if m:
        turn = names[m[1]]
        if m[2]:
            seconds = int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4])
        text = m[5]
    elif line.strip():
        text = line.strip()
    else:
        continue
    n += 1
    cues += [str(n), f"{clock(seconds)} --> {clock(seconds + 5)}", f"{turn}: {text}", ""]
    seconds += 5
open("examples/imports/P04.vtt", "w", encoding="utf-8").write("\n".join(cues))
PY
convert "$src/P03.html" 'docx:MS Word 2007 XML' examples/imports/P03.docx

echo "made the fixtures in $out and examples/imports"
