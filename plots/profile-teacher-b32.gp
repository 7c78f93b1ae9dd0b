# Edit and run gnuplot 'profile-teacher-b32.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Time per layer: teacher, batch 32 (the 20 slowest of 30 steps)'
set xlabel 'milliseconds per batch (median)'
set ylabel ''
set grid lc rgb '#d0d0d0'
unset key
set border lw 1.5
set style fill solid 0.85 border lc rgb '#1f4e79'
set ytics ('conv1 (polyphase)' 0, 'layer1.0.conv1 (batched)' 1, 'layer1.1.conv2 (batched)' 2, 'layer1.0.conv2 (batched)' 3, 'layer1.1.conv1 (batched)' 4, 'layer2.0.conv2 (winograd)' 5, 'layer2.1.conv2 (winograd)' 6, 'layer2.1.conv1 (winograd)' 7, 'layer3.1.conv1 (batched)' 8, 'layer3.0.conv2 (batched)' 9, 'layer3.1.conv2 (batched)' 10, 'layer2.0.conv1 (batched)' 11, 'layer3.0.conv1 (batched)' 12, 'layer4.0.conv1 (batched)' 13, 'layer2.0.downsample.0 (batched)' 14, 'layer4.1.conv1 (batched)' 15, 'layer4.0.conv2 (batched)' 16, 'layer4.1.conv2 (batched)' 17, 'layer1.0.add (add)' 18, 'layer1.1.add (add)' 19) nomirror
set yrange [19.6:-0.6]
set xrange [0:*]
set grid xtics noytics
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'profile-teacher-b32.png'
plot 'profile-teacher-b32.dat' index 0 using ($1/2):2:($1/2):(0.35) with boxxyerror lc rgb '#1f77b4' notitle
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'profile-teacher-b32.svg'
replot
unset output
