package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// An editForm is an edit form's fields, and what was wrong with them: each
// message beside its field (Errors[""] for the form as a whole). Open
// shows it unfolded, as after a refused edit.
type editForm struct {
	Values map[string]string
	Errors map[string]string
	Open   bool
}

// or is the form as it was sent, or else with the stored values.
func (f editForm) or(stored map[string]string) editForm {
	if f.Values == nil {
		f.Values = stored
	}
	return f
}

// refusedEdit is the form sent again with err beside the field it names.
func refusedEdit(r *http.Request, err error, fields ...string) editForm {
	f := editForm{Values: map[string]string{}, Errors: fieldErrors(err, fields...), Open: true}
	for _, name := range fields {
		f.Values[name] = r.PostFormValue(name)
	}
	return f
}

// fieldErrors puts an error's message beside the field it refuses
// (generia.ErrorField), when the form has that field, or else on the form
// as a whole. The message names the field as the API spells it
// ("display_name must …"); beside the field it reads "Display name must …".
func fieldErrors(err error, fields ...string) map[string]string {
	name := generia.ErrorField(err)
	if name == "" || !slices.Contains(fields, name) {
		return map[string]string{"": message(err)}
	}
	m := message(err)
	if rest, ok := strings.CutPrefix(generia.ErrorMessage(err), name+" "); ok {
		label := strings.ReplaceAll(name, "_", " ")
		m = strings.ToUpper(label[:1]) + label[1:] + " " + rest
	}
	return map[string]string{name: m}
}

// editPost changes the caption and hashtags of the viewer's character's
// post.
func (h *Handler) editPost(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	worldID, postID := r.PathValue("id"), r.PathValue("postID")
	caption, tags := r.PostFormValue("caption"), strings.FieldsFunc(r.PostFormValue("hashtags"), func(c rune) bool { return c == ' ' || c == ',' })
	_, err := h.social.EditPost(r.Context(), v.ID, worldID, postID, social.PostEdit{Caption: &caption, Hashtags: &tags})
	if isFormError(err) {
		h.showPost(w, r, v, formStatus(err), "", "", refusedEdit(r, err, "caption", "hashtags"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, postURL(worldID, postID), http.StatusSeeOther)
}

// editCharacter changes the display name and bio of the viewer's
// character.
func (h *Handler) editCharacter(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	id := r.PathValue("id")
	name, bio := r.PostFormValue("display_name"), r.PostFormValue("bio")
	_, err := h.social.EditCharacter(r.Context(), v.ID, id, social.CharacterEdit{DisplayName: &name, Bio: &bio})
	if isFormError(err) {
		h.showCharacter(w, r, v, formStatus(err), refusedEdit(r, err, "display_name", "bio"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/characters/"+url.PathEscape(id), http.StatusSeeOther)
}

// editWorld changes the name, description and visibility of the viewer's
// world.
func (h *Handler) editWorld(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	id := r.PathValue("id")
	name, desc, vis := r.PostFormValue("name"), r.PostFormValue("description"), r.PostFormValue("visibility")
	_, err := h.social.EditWorld(r.Context(), v.ID, id, social.WorldEdit{Name: &name, Description: &desc, Visibility: &vis})
	if isFormError(err) {
		h.showAbout(w, r, v, formStatus(err), refusedEdit(r, err, "name", "description", "visibility"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(id)+"/about", http.StatusSeeOther)
}
