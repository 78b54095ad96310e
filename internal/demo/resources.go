package demo

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/resources"
	"edugroup/internal/store"
)

// LoadResources fills the library of the demo group (四(四)1): a few hundred
// resources of every kind on the default textbook tree, with small real
// files made here (Word documents, text, SVG, a short video when ffmpeg is
// installed), uploaded, submitted and reviewed through the service into
// every state, and used (views, downloads, favourites) by the demo
// accounts over the last six months. It needs the library's file store, so
// it runs after Load, when Load created the county.
func LoadResources(ctx context.Context, st *store.Store, log *audit.Log, svc *resources.Service) error {
	sv, err := newServices(ctx, st, log)
	if err != nil {
		return err
	}
	actor := func(username string) (auth.Actor, error) {
		id, err := sv.auth.UserIDByName(ctx, username)
		if err != nil {
			return auth.Actor{}, err
		}
		u, err := sv.auth.GetUser(ctx, sv.sys, id)
		if err != nil {
			return auth.Actor{}, err
		}
		a := auth.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: u.Grants, RequestID: Actor}
		if u.StaffID != nil {
			a.StaffID = *u.StaffID
		}
		return a, nil
	}
	names := []string{"teacher", "teacher2", "principal", "leadadmin", "groupadmin", "jijiao"}
	who := map[string]auth.Actor{}
	for _, n := range names {
		if who[n], err = actor(n); err != nil {
			return fmt.Errorf("demo account %s: %w", n, err)
		}
	}
	var lead int64
	if err := st.R.QueryRowContext(ctx, `SELECT g.scope_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'leadadmin'`).Scan(&lead); err != nil {
		return err
	}
	var lessons []struct {
		id   int64
		path string
	}
	rows, err := st.R.QueryContext(ctx, `SELECT id, path FROM textbook_nodes WHERE level = 'lesson' AND (path LIKE '初中/语文/统编版/%' OR path LIKE '小学/数学/人教版/三年级%' OR path LIKE '小学/语文/统编版/三年级%' OR path LIKE '初中/数学/人教版/七年级%') ORDER BY path`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var l struct {
			id   int64
			path string
		}
		if err := rows.Scan(&l.id, &l.path); err != nil {
			rows.Close()
			return err
		}
		lessons = append(lessons, l)
	}
	rows.Close()
	if len(lessons) == 0 {
		return fmt.Errorf("demo resources: no textbook lessons")
	}
	video, err := demoVideo()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(Seed, 17))
	sys := sv.sys
	authors := []struct {
		a      auth.Actor
		school int64
	}{{who["teacher"], 0}, {who["teacher2"], 0}, {sys, lead}}
	kindWords := map[string]string{resources.KindDesign: "教学设计", resources.KindCourseware: "课件", resources.KindMicro: "微课", resources.KindCase: "教学案例",
		resources.KindRecording: "课堂实录", resources.KindTaskSheet: "学习任务单", resources.KindExercise: "分层作业", resources.KindItem: "练习题"}
	kinds := []string{resources.KindDesign, resources.KindCourseware, resources.KindMicro, resources.KindCase, resources.KindRecording,
		resources.KindTaskSheet, resources.KindExercise, resources.KindItem}
	states := []string{"draft", "school", "returned", "group_pending", "group", "group", "group", "rejected", "county_pending", "county", "school_only"}
	type made struct {
		id    int64
		label string
		kind  string
	}
	var accepted []made
	const total = 320
	base := time.Now().UTC()
	for i := 0; i < total; i++ {
		l := lessons[i%len(lessons)]
		kind := kinds[r.IntN(len(kinds))]
		au := authors[i%len(authors)]
		state := states[r.IntN(len(states))]
		scope := resources.ScopeGroup
		switch state {
		case "county_pending", "county":
			scope = resources.ScopeCounty
		case "school_only":
			scope = resources.ScopeSchool
		}
		lesson := filepath.Base(l.path)
		title := fmt.Sprintf("%s %s", lesson, kindWords[kind])
		in := resources.Input{Kind: kind, Title: title, NodeID: l.id, ShareScope: scope, SchoolID: au.school,
			Tags: []string{"新课标", "大单元教学", "情境教学", "分层作业", "核心素养"}[r.IntN(5)], Authors: au.a.DisplayName,
			Description: "围绕「" + lesson + "」设计的" + kindWords[kind] + "，供集团内各校共享使用。"}
		if kind == resources.KindItem {
			in.Item = &resources.Item{Stem: "关于「" + lesson + "」，下列说法正确的是", Options: []string{"选项一", "选项二", "选项三", "选项四"},
				Answer: "B", Analysis: "本题考查对" + lesson + "的理解。", Difficulty: 1 + r.IntN(5), KnowledgePoints: []string{lesson}}
		}
		a := au.a
		d, err := svc.Create(ctx, a, in)
		if err != nil {
			return fmt.Errorf("demo resource %d: %w", i, err)
		}
		if kind != resources.KindItem {
			name, data := demoFile(kind, title, lesson, video)
			if d, err = svc.Upload(ctx, a, d.ID, name, bytes.NewReader(data)); err != nil {
				return fmt.Errorf("demo resource %d file: %w", i, err)
			}
		}
		if state == "draft" {
			continue
		}
		if d, err = svc.Submit(ctx, a, d.ID, resources.Decision{Version: d.Version}); err != nil {
			return fmt.Errorf("demo resource %d submit: %w", i, err)
		}
		step := func(fn func(context.Context, auth.Actor, int64, resources.Decision) (resources.Detail, error), comment string) error {
			var err error
			d, err = fn(ctx, sys, d.ID, resources.Decision{Version: d.Version, Comment: comment})
			return err
		}
		var serr error
		switch state {
		case "returned":
			serr = step(svc.Return, "请补充教学反思，并注明教材版本和课时。")
		case "school", "school_only":
			serr = step(svc.Accept, "")
		case "group_pending":
			serr = step(svc.Accept, "")
		case "group", "county_pending":
			if serr = step(svc.Accept, ""); serr == nil {
				serr = step(svc.Accept, "集团教研组评审通过")
			}
		case "county":
			if serr = step(svc.Accept, ""); serr == nil {
				if serr = step(svc.Accept, "集团教研组评审通过"); serr == nil {
					serr = step(svc.Accept, "推荐为县级精品")
				}
			}
		case "rejected":
			serr = step(svc.Reject, "与已有资源重复")
		}
		if serr != nil {
			return fmt.Errorf("demo resource %d review (%s): %w", i, state, serr)
		}
		if d.Label != "" {
			accepted = append(accepted, made{d.ID, d.Label, kind})
		}
	}
	// Use over the last six months by the demo accounts, more of it lately
	// and by the lead school's partners.
	users := []auth.Actor{who["teacher"], who["teacher2"], who["principal"], who["leadadmin"]}
	defer func() { svc.Now = time.Now }()
	for m := 5; m >= 0; m-- {
		at := base.AddDate(0, -m, 0)
		svc.Now = func() time.Time { return at }
		for _, x := range accepted {
			for _, u := range users {
				if r.IntN(6) > 5-m/2 || r.IntN(2) == 0 {
					continue
				}
				if _, err := svc.View(ctx, u, x.id); errs.Is(err, errs.NotFound) {
					continue // shared no further than a school this user is not of
				} else if err != nil {
					return fmt.Errorf("demo usage: %w", err)
				}
				if r.IntN(3) == 0 && x.kind != resources.KindItem {
					dl, err := svc.Open(ctx, u, x.id, 0, true)
					if err != nil {
						return fmt.Errorf("demo download: %w", err)
					}
					dl.Body.Close()
				}
				if m == 0 && r.IntN(8) == 0 {
					if _, err := svc.Favourite(ctx, u, x.id, resources.FavouriteInput{On: true}); err != nil {
						return fmt.Errorf("demo favourite: %w", err)
					}
				}
			}
		}
	}
	_, err = svc.ProbeOnce(ctx, 500)
	return err
}

// demoFile is a small real file for a resource: a Word document for the
// written kinds, an SVG diagram for courseware, the demo video for videos.
func demoFile(kind, title, lesson string, video []byte) (string, []byte) {
	switch kind {
	case resources.KindMicro, resources.KindRecording:
		return title + ".mp4", video
	case resources.KindCourseware:
		svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360" fill="#f5f7fa"/><text x="40" y="180" font-size="36">%s</text></svg>`, lesson)
		return title + ".svg", []byte(svg)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	w, _ = zw.Create("word/document.xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+
		`<w:p><w:r><w:t>%s</w:t></w:r></w:p><w:p><w:r><w:t>一、教学目标：理解「%s」的主要内容，能结合情境分析问题。</w:t></w:r></w:p>`+
		`<w:p><w:r><w:t>二、教学重难点：抓住关键语句，体会表达方法。</w:t></w:r></w:p><w:p><w:r><w:t>三、教学过程：导入—新授—练习—小结—作业。</w:t></w:r></w:p></w:body></w:document>`, title, lesson)
	_ = zw.Close()
	return title + ".docx", b.Bytes()
}

// demoVideo is a four-second test pattern made with ffmpeg, or, without
// ffmpeg, the head of an MP4 file (stored and listed, not playable).
func demoVideo() ([]byte, error) {
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		return append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 1024)...), nil
	}
	dir, err := os.MkdirTemp("", "edugroup-demo-video-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "demo.mp4")
	cmd := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=4:size=320x180:rate=15", "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", "-y", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, msg)
	}
	return os.ReadFile(out)
}
