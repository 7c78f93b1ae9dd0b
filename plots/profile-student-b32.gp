# Edit and run gnuplot 'profile-student-b32.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Time per layer: student, batch 32 (all 11 steps)'
set xlabel 'milliseconds per batch (median)'
set ylabel ''
set grid lc rgb '#d0d0d0'
unset key
set border lw 1.5
set style fill solid 0.85 border lc rgb '#1f4e79'
set ytics ('conv1 (polyphase)' 0, 'layer1.3 (pointwise)' 1, 'layer2.3 (batched)' 2, 'layer3.3 (batched)' 3, 'layer1.0 (depthwise)' 4, 'layer4.0 (depthwise)' 5, 'layer4.3 (batched)' 6, 'layer2.0 (depthwise)' 7, 'layer3.0 (depthwise)' 8, 'avgpool (adaptive-avg-pool)' 9, 'fc (linear)' 10) nomirror
set yrange [10.6:-0.6]
set xrange [0:*]
set grid xtics noytics
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'profile-student-b32.png'
plot 'profile-student-b32.dat' index 0 using ($1/2):2:($1/2):(0.35) with boxxyerror lc rgb '#1f77b4' notitle
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'profile-student-b32.svg'
replot
unset output
